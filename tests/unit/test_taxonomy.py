"""The CX taxonomy: the bundled default and validation of user YAML files."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from cx_nlp.cx import Stage, Taxonomy, Touchpoint
from cx_nlp.errors import ERRORS, CxError

IDS = [
    "advertising_marketing", "brand_reputation", "website_app", "sales_ordering", "price_value",
    "product_quality", "delivery_logistics", "store_environment", "staff_behaviour", "customer_support",
    "billing_payment", "returns_refunds",
]
STAGES = ["awareness", "consideration", "purchase", "delivery_onboarding", "usage", "support_recovery",
          "loyalty_advocacy"]
LANGS = ["en", "ro", "pl", "ru", "fa"]


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.load()


# -- the bundled default ----------------------------------------------------------------------------

def test_default_loads(tax):
    assert isinstance(tax, Taxonomy)
    assert tax.name and tax.version
    assert all(isinstance(t, Touchpoint) for t in tax.touchpoints)
    assert all(isinstance(s, Stage) for s in tax.stages)


def test_default_ids_in_order(tax):
    assert tax.ids == IDS
    assert len(tax) == 12


def test_default_stages(tax):
    assert tax.stage_ids == STAGES
    assert all(s.description for s in tax.stages)
    for t in tax.touchpoints:
        assert t.stage in tax.stage_ids, t.id


def test_default_touchpoint_fields(tax):
    for t in tax.touchpoints:
        assert t.label and t.description, t.id
        assert t.channel_mode in ("digital", "human", "mixed"), t.id
        assert t.channel_contact in ("direct", "indirect"), t.id
        assert t.clue in ("functional", "mechanical", "humanic"), t.id
        assert set(t.keywords) == set(LANGS), t.id
        for lang, words in t.keywords.items():
            assert 8 <= len(words) <= 14, (t.id, lang)
            assert len(set(words)) == len(words), (t.id, lang)


def test_default_has_eight_examples_per_language(tax):
    for t in tax.touchpoints:
        assert sorted(t.examples) == sorted(LANGS), t.id
        for lang in LANGS:
            assert len(t.examples[lang]) == 8, (t.id, lang)


def test_default_examples_unique(tax):
    seen: dict[str, str] = {}
    for t in tax.touchpoints:
        for lang, sentences in t.examples.items():
            for s in sentences:
                key = s.strip().casefold()
                assert key not in seen, f"{s!r} appears in {seen[key]} and {t.id}/{lang}"
                seen[key] = f"{t.id}/{lang}"
    assert len(seen) == 12 * 5 * 8


def test_default_examples_are_in_their_script(tax):
    cyrillic = re.compile(r"[\u0400-\u04FF]")
    arabic = re.compile(r"[\u0600-\u06FF]")
    for t in tax.touchpoints:
        for s in t.examples["ru"]:
            assert cyrillic.search(s), (t.id, s)
        for s in t.examples["fa"]:
            assert arabic.search(s), (t.id, s)
            # Persian letters, not their Arabic look-alikes
            assert "\u064A" not in s and "\u0643" not in s, (t.id, s)
        for s in t.examples["ro"]:
            # comma-below ș ț, not the cedilla forms ş ţ
            assert not set(s) & {"\u015F", "\u0163", "\u015E", "\u0162"}, (t.id, s)
        for lang in ("en", "ro", "pl"):
            for s in t.examples[lang]:
                assert not cyrillic.search(s) and not arabic.search(s), (t.id, lang, s)
        for lang in LANGS:
            for s in t.examples[lang]:
                assert s == unicodedata.normalize("NFC", s), (t.id, lang, s)


def test_default_get_and_roundtrip(tax):
    t = tax.get("delivery_logistics")
    assert t is not None and t.stage == "delivery_onboarding"
    assert tax.get("nope") is None
    assert "staff_behaviour" in tax and "nope" not in tax
    assert Taxonomy.from_dict(tax.to_dict()) == tax


def test_error_code_is_catalogued():
    assert "E601" in ERRORS


# -- user files -------------------------------------------------------------------------------------

def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "tax.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_minimal_user_file(tmp_path):
    p = _write(tmp_path, """
touchpoints:
  - id: delivery
    description: Delivery and shipping, couriers, late or damaged parcels.
  - id: staff
    description: How the staff treated me.
""")
    tax = Taxonomy.load(p)
    assert tax.ids == ["delivery", "staff"]
    t = tax.get("staff")
    assert t.stage is None and t.clue is None and t.channel_mode is None and t.channel_contact is None
    assert t.examples == {} and t.keywords == {}
    assert t.label == "Staff"
    assert tax.name == "tax"
    assert tax.stage_ids == STAGES  # the default journey when a file defines none


def test_user_file_with_examples_only_and_own_stages(tmp_path):
    p = _write(tmp_path, """
name: shop
version: 2
stages: [browse, buy]
touchpoints:
  - id: checkout
    stage: buy
    clue: functional
    channel: {mode: digital}
    examples:
      en: ["Checkout took forever."]
""")
    tax = Taxonomy.load(p)
    assert tax.version == "2" and tax.stage_ids == ["browse", "buy"]
    t = tax.get("checkout")
    assert t.description is None and t.examples == {"en": ["Checkout took forever."]}
    assert t.channel_mode == "digital" and t.channel_contact is None


BAD = {
    "missing_id": ("touchpoints:\n  - description: x\n", "'id'"),
    "duplicate_id": ("touchpoints:\n  - {id: a, description: x}\n  - {id: a, description: y}\n", "duplicate"),
    "unknown_stage": ("touchpoints:\n  - {id: a, description: x, stage: shopping}\n", "'stage'"),
    "bad_clue": ("touchpoints:\n  - {id: a, description: x, clue: physical}\n", "'clue'"),
    "bad_channel_mode": ("touchpoints:\n  - {id: a, description: x, channel: {mode: fax}}\n", "'channel.mode'"),
    "bad_channel_contact": ("touchpoints:\n  - {id: a, description: x, channel: {contact: sideways}}\n",
                            "'channel.contact'"),
    "channel_not_mapping": ("touchpoints:\n  - {id: a, description: x, channel: digital}\n", "'channel'"),
    "no_description_no_examples": ("touchpoints:\n  - {id: a, label: A}\n", "'description' or 'examples'"),
    "empty_examples": ("touchpoints:\n  - {id: a, examples: {en: []}}\n", "'description' or 'examples'"),
    "examples_not_mapping": ("touchpoints:\n  - {id: a, examples: [x, y]}\n", "'examples'"),
    "example_not_string": ("touchpoints:\n  - {id: a, examples: {en: [1]}}\n", "'examples.en[0]'"),
    "keywords_not_list": ("touchpoints:\n  - {id: a, description: x, keywords: {en: ship}}\n", "'keywords.en'"),
    "cues_not_mapping": ("touchpoints:\n  - {id: a, description: x, polarity_cues: [cheap]}\n", "'polarity_cues'"),
    "cues_bad_side": ("touchpoints:\n  - {id: a, description: x, polarity_cues: {good: {en: [cheap]}}}\n", "'good'"),
    "cues_not_list": ("touchpoints:\n  - {id: a, description: x, polarity_cues: {positive: {en: cheap}}}\n",
                      "'polarity_cues.positive.en'"),
    "typo_field": ("touchpoints:\n  - {id: a, descripton: x}\n", "'descripton'"),
    "no_touchpoints": ("name: x\n", "'touchpoints'"),
    "touchpoints_not_list": ("touchpoints: {a: x}\n", "'touchpoints'"),
    "duplicate_stage": ("stages: [a, a]\ntouchpoints:\n  - {id: t, description: x}\n", "duplicate stage"),
    "top_level_list": ("- id: a\n", "top level"),
    "empty_file": ("", "top level"),
    "bad_yaml": ("touchpoints:\n  - {id: a, description: [unclosed\n", "YAML"),
    "python_tag": ("touchpoints: !!python/object/apply:os.system [echo hi]\n", "YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_files_raise_e601(tmp_path, case):
    text, needle = BAD[case]
    with pytest.raises(CxError) as info:
        Taxonomy.load(_write(tmp_path, text))
    assert info.value.code == "E601"
    assert needle in info.value.message, info.value.message
    assert "tax.yaml" in info.value.message


def test_missing_file_is_e401(tmp_path):
    with pytest.raises(CxError) as info:
        Taxonomy.load(tmp_path / "absent.yaml")
    assert info.value.code == "E401"
