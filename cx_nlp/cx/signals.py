"""CX signals beyond polarity: moment of truth, churn risk, advocacy and customer effort.

Each signal is found per sentence and reported once per text (its strongest sentence) as
``{"type", "score", "start", "end", "text", "cue", "touchpoint", "sentiment", "count"}``:

* **churn_risk**: the customer says they leave or warn others off ("I'm cancelling", "never again",
  "nigdy więcej", "nu mai cumpăr", "больше никогда", "دیگه نمی‌خرم", "I don't recommend").
  Score ``0.6 + 0.4 * p(negative)`` of the sentence.
* **advocacy**: the customer recommends or will come back ("I recommend", "polecam", "recomand",
  "рекомендую", "پیشنهاد می‌کنم", "will buy again"); a negated cue ("nie polecam") is churn, not
  advocacy. Score ``(0.6 + 0.4 * p(positive)) * (1 - 0.5 * p(negative))``.
* **customer_effort**: the customer had to work to get served ("called three times", "again and
  again", "still waiting", "trzy razy dzwoniłem", "de trei ori", "несколько раз", "چند بار").
  Score ``0.5 + 0.5 * p(negative)``.
* **moment_of_truth**: a high-intensity experience at a touchpoint (seed 002: strong emotions at a
  key contact decide the relationship): a sentence with a touchpoint whose polarity is clear and
  whose emotions run high. Score ``|p(pos) - p(neg)| * (0.5 + 0.5 * top emotion) * stage weight``
  (+0.15 with an intensifier such as "worst", "best ever", "najgorszy", "худший", "بدترین"),
  reported from :data:`MOMENT_MIN` on.

Cues are lowercase regular expressions matched at word starts, per language (en, ro, pl, ru, fa, and a
few in de/fr/es); text is lowercased and Persian/Arabic letter variants and zero-width non-joiners are
normalised first. When the language is unknown, every language's cues are tried.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

SIGNAL_TYPES = ("moment_of_truth", "churn_risk", "advocacy", "customer_effort")
MOMENT_MIN = 0.55
# Journey stages where a strong experience is a "moment of truth" in the literature (ZMOT, FMOT, SMOT,
# service recovery) weigh fully; the others a little less.
KEY_STAGES = {"consideration": 1.0, "purchase": 1.0, "usage": 1.0, "support_recovery": 1.0,
              "delivery_onboarding": 0.9, "awareness": 0.8, "loyalty_advocacy": 0.9}

_N_EN = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple|many|numerous|countless|a dozen|dozens of)"
_N_RO = r"(?:\d+|două|doua|trei|patru|cinci|șase|sase|zece|mai multe|multe|nenumărate|nenumarate|zeci de)"
_N_PL = r"(?:\d+|dwa|trzy|cztery|pięć|sześć|dziesięć|kilka|kilkanaście|kilkadziesiąt|wiele|parę|sto|milion)"
_N_RU = r"(?:\d+|два|две|три|четыре|пять|шесть|десять|несколько|много|сто|миллион)"
_N_FA = r"(?:\d+|[۰-۹]+|دو|سه|چهار|پنج|ده|چند|چندین|صد)"

LEXICON: dict[str, dict[str, list[str]]] = {
    "churn_risk": {
        "en": [r"never again", r"never (?:be )?(?:buy|order|shop|com|go|eat|stay|fly|return|use)\w* (?:\w+ ){0,3}again",
               r"never (?:going|coming) back", r"won'?t be (?:back|returning|buying|ordering|coming)",
               r"will not be (?:back|returning|buying|ordering|coming)", r"not (?:coming|going) back",
               r"(?:i'?m|i am|we'?re|we are|i will be|i'?ll be) (?:cancel+ing|leaving|switching|done with|closing)",
               r"cancel+(?:ed|ing)? (?:my|our|the) (?:subscription|account|contract|membership|plan|service)",
               r"clos(?:e|ed|ing) (?:my|our) account", r"switch(?:ed|ing)? to (?:another|a different|a competitor)",
               r"take (?:my|our) (?:business|money) elsewhere", r"go(?:ing)? elsewhere", r"lost (?:a|another|one) (?:loyal )?customer",
               r"last time i (?:buy|order|shop|use|fly|stay)", r"(?:not|n'?t|never|no longer) (?:\w+ )?recommend",
               r"stay away", r"avoid (?:this|them|at all costs)", r"(?:do not|don'?t) (?:buy|order|waste)"],
        "ro": [r"niciodată (?:nu )?(?:mai)", r"niciodata (?:nu )?(?:mai)", r"nu mai (?:cump|comand|rev|vin|calc|apelez|folos|merg)\w*",
               r"ultima dată", r"ultima data", r"reziliez", r"reziliat", r"anulez (?:abonamentul|contractul|comanda|contul)",
               r"renunț", r"renunt", r"mă mut la", r"trec la (?:altă|alta|alt)", r"au pierdut un client",
               r"nu (?:\w+ )?recomand", r"evitați", r"evitati", r"ocoliți", r"ocoliti"],
        "pl": [r"nigdy więcej", r"nigdy wiecej", r"nigdy już", r"więcej nie (?:kupi|zamówi|przyjd|wróc|skorzyst|zamawia)\w*",
               r"już nie (?:kupi|zamówi|wróc|skorzyst)\w*", r"ostatni raz", r"rezygnuj\w*", r"zrezygnow\w*",
               r"wypowiad\w* umow", r"rozwiąż\w* umow", r"przechodzę do", r"odchodzę", r"stracili klienta",
               r"omijajcie", r"omijać", r"odradzam", r"nie (?:\w+ )?polec\w*", r"szkoda (?:czasu|pieniędzy)"],
        "ru": [r"больше никогда", r"никогда больше", r"больше не (?:куп|закаж|прид|вернусь|вернемся|вернёмся|пойд|обращ|буду)\w*",
               r"ноги моей", r"в последний раз", r"отказываюсь", r"откажусь", r"расторга\w*", r"расторгн\w*",
               r"ухожу (?:к|в)", r"перейду (?:к|в)", r"перехожу (?:к|в)", r"потеряли клиента", r"не рекоменд\w*",
               r"не совету\w*", r"обходите стороной", r"не связывайтесь"],
        "fa": [r"(?:دیگر|دیگه|هرگز|هیچ ?وقت)[^.!?؟]{0,40}?(?:نمی ?(?:خرم|کنم|دهم|دم|گیرم|آیم|ایم|یام|روم|رم|شم)|نخواهم)",
               r"آخرین بار", r"لغو اشتراک", r"اشتراکم را لغو", r"حسابم را (?:می ?)?بند", r"(?:پیشنهاد|توصیه) نمی ?کن",
               r"مشتری(?: خود)? را از دست داد", r"اصلا نخرید", r"اصلاً نخرید", r"نخرید"],
        "de": [r"nie wieder", r"kündige", r"nicht (?:\w+ )?empfehlen"],
        "fr": [r"plus jamais", r"je résilie", r"ne (?:\w+ )?recommande pas"],
        "es": [r"nunca más", r"nunca mas", r"no (?:\w+ )?recomiendo", r"me doy de baja"],
    },
    "advocacy": {
        "en": [r"(?:highly |strongly |definitely |totally |would |i |we )?recommend(?:ed|ing)?", r"will (?:definitely |surely |certainly )?(?:buy|order|come|shop|return|stay|fly|use)\w* (?:\w+ ){0,3}again",
               r"(?:buy|order|shop)\w* (?:here |from them |with them )?again", r"will (?:definitely |surely )?be back",
               r"(?:must|should) (?:try|visit|buy|go)", r"tell(?:ing)? (?:all )?(?:my|our) friends", r"(?:5|five) stars",
               r"10/10", r"loyal customer", r"(?:won'?t|wouldn'?t) go anywhere else", r"keep coming back"],
        "ro": [r"recomand", r"recomandăm", r"recomandam", r"recomandat", r"voi mai (?:cump|comand|rev|veni)\w*",
               r"mai (?:cump|comand)\w* (?:de aici|de la ei)", r"sigur (?:revin|mai|voi)", r"revenim cu drag",
               r"revin cu plăcere", r"(?:5|cinci) stele", r"merită (?:încercat|cumpărat|vizitat)"],
        "pl": [r"polecam\w*", r"godn\w* polecenia", r"na pewno (?:wrócę|wrócimy|kupię|zamówię|skorzystam|tu wrócę)",
               r"(?:kupię|zamówię|zamówimy|skorzystam) (?:\w+ )?(?:ponownie|jeszcze raz)", r"jeszcze (?:tu |tam )?wrócę",
               r"wrócimy", r"(?:5|pięć) gwiazdek", r"warto (?:kupić|spróbować|odwiedzić|zamówić)"],
        "ru": [r"рекомендую", r"рекомендуем", r"советую", r"всем совету\w*", r"буду (?:брать|заказывать|покупать) (?:ещё|еще)",
               r"(?:обязательно |ещё |еще )?вернусь", r"вернёмся", r"вернемся", r"(?:5|пять) звёзд", r"(?:5|пять) звезд",
               r"(?:куплю|закажу) (?:ещё|еще)", r"(?:только|теперь) (?:у них|здесь|тут)"],
        "fa": [r"(?:پیشنهاد|توصیه) می ?کن", r"(?:حتما|حتماً) (?:بخرید|امتحان کنید|سفارش بدید|سفارش دهید|بخرین)",
               r"(?:باز هم|بازم|دوباره) (?:می ?خرم|سفارش (?:می ?دم|می ?دهم))", r"ارزش خرید (?:دارد|داره)",
               r"به (?:همه|دوستانم|دوستام) (?:پیشنهاد|معرفی|توصیه)"],
        "de": [r"empfehle", r"empfehlenswert", r"gerne wieder"],
        "fr": [r"je recommande", r"recommande vivement", r"à recommander"],
        "es": [r"recomiendo", r"recomendable", r"volveré"],
    },
    "customer_effort": {
        "en": [rf"(?:call|phon|email|e-mail|wr[io]t|contact|chas|ask|tr[iy]|r[ai]ng|visit|went back|go back|complain)\w*(?: \w+){{0,5}} {_N_EN} times",
               rf"{_N_EN} (?:times|calls|phone calls|emails|e-mails|visits|attempts|trips|weeks of)", r"again and again",
               r"over and over", r"time after time", r"still waiting", r"still (?:have(?:n'?t| not)|no (?:reply|answer|response|refund))",
               r"transferred (?:\w+ ){0,3}(?:to|between|from)", r"(?:on hold|waiting) for (?:over |more than )?(?:an hour|hours|\d+)",
               r"kept (?:me )?(?:waiting|on hold|transferring)", r"had to (?:call|ring|email|explain|repeat|go back|come back|chase|fill|wait)",
               r"(?:no one|nobody|no-one) (?:answers|answered|picks up|picked up|called back|calls back|got back|replies|replied)",
               r"hours on the phone", r"waste of (?:my |our )?time", r"jump through hoops", r"runaround"],
        "ro": [rf"de {_N_RO} ori", r"iar și iar", r"iar si iar", r"din nou și din nou", r"încă aștept", r"inca astept",
               r"tot aștept", r"tot astept", r"m-au plimbat", r"nimeni nu (?:răspunde|raspunde|a răspuns|a raspuns|m-a sunat)",
               r"pierdere de timp", r"am stat (?:\w+ ){0,3}la telefon", r"a trebuit să (?:sun|revin|explic|merg|aștept)",
               r"de fiecare dată (?:am|trebuie)", r"mă tot (?:plimbă|amână)"],
        "pl": [rf"{_N_PL} razy", r"dwukrotnie", r"trzykrotnie", r"kilkukrotnie", r"wielokrotnie", r"w kółko",
               r"ciągle (?:dzwoni|pisa|czeka)\w*", r"(?:nadal|wciąż|dalej|ciągle) czekam", r"odsyłali mnie", r"odsyłają",
               r"przełączali", r"nikt nie (?:odbiera|odpowiada|oddzwoni|odpisa|odpisuje)\w*",
               r"musiał(?:em|am|ym) (?:dzwonić|zadzwonić|pisać|jechać|wracać|tłumaczyć|czekać)", r"strata czasu",
               r"godzin\w* (?:na infolinii|na linii|przy telefonie|w kolejce)"],
        "ru": [rf"{_N_RU} раз", r"дважды", r"трижды", r"многократно", r"неоднократно", r"снова и снова", r"раз за разом",
               r"до сих пор (?:жду|не)", r"всё ещё жду", r"все еще жду", r"никто не (?:отвечает|ответил|перезвонил|берёт|берет)",
               r"переключали", r"футбол(?:или|ят)", r"пришлось (?:звонить|ехать|писать|объяснять|ждать|идти)",
               r"висел\w* на линии", r"на удержании", r"потеря времени", r"трата времени", r"час\w* на линии"],
        "fa": [rf"{_N_FA} (?:بار|دفعه|مرتبه)", r"بارها", r"هنوز منتظر", r"هنوز (?:خبری|جوابی|پولم)", r"کسی جواب (?:نمی|نداد)",
               r"هیچ ?کس جواب", r"پاس ?کاری", r"وقتم (?:تلف|هدر)", r"مجبور شدم", r"پشت خط (?:ماندم|موندم|بودم)"],
        "de": [r"(?:\d+|zwei|drei|mehrere|mehrmals) (?:mal|male)", r"immer noch", r"niemand (?:geht ran|antwortet)"],
        "fr": [r"(?:\d+|deux|trois|plusieurs) fois", r"toujours en attente", r"personne ne répond"],
        "es": [r"(?:\d+|dos|tres|varias) veces", r"sigo esperando", r"nadie contesta"],
    },
}

INTENSIFIERS: dict[str, list[str]] = {
    "en": [r"worst", r"best (?:\w+ )?ever", r"never (?:been|seen|had|felt)", r"absolutely", r"horrible", r"horrendous",
           r"disgusting", r"outstanding", r"amazing", r"furious", r"unacceptable", r"nightmare", r"appalling", r"awful",
           r"terrible", r"fantastic", r"incredible", r"shocked", r"!!"],
    "ro": [r"cel mai (?:prost|rău|bun|frumos)", r"cea mai (?:proastă|rea|bună|frumoasă)", r"îngrozitor", r"groaznic",
           r"dezastru", r"inacceptabil", r"minunat", r"extraordinar", r"scandalos", r"!!"],
    "pl": [r"najgorsz\w*", r"najlepsz\w*", r"koszmar\w*", r"skandal\w*", r"tragedi\w*", r"tragiczn\w*", r"fantastyczn\w*",
           r"rewelacj\w*", r"niedopuszczaln\w*", r"okropn\w*", r"!!"],
    "ru": [r"худш\w*", r"лучш\w*", r"кошмар\w*", r"ужасн\w*", r"отвратительн\w*", r"безобрази\w*", r"возмутительн\w*",
           r"потрясающ\w*", r"великолепн\w*", r"никогда (?:не )?(?:видел|встречал)", r"!!"],
    "fa": [r"بدترین", r"بهترین", r"افتضاح", r"فاجعه", r"وحشتناک", r"فوق ?العاده", r"عالی", r"بی ?نظیر", r"!!"],
}

_NEG_ADVOCACY = {"en": r"(?:not|n'?t|never|no longer) (?:\w+ )?recommend", "ro": r"nu (?:\w+ )?recomand",
                 "pl": r"nie (?:\w+ )?polec", "ru": r"не (?:рекоменд|совету)", "fa": r"(?:پیشنهاد|توصیه) نمی"}

_FA_MAP = str.maketrans({"ي": "ی", "ك": "ک", "\u200c": " ", "ى": "ی", "ۀ": "ه", "أ": "ا", "إ": "ا"})


def normalise(text: str) -> str:
    """Lowercase, Persian/Arabic letter variants unified, zero-width non-joiners as spaces, one space."""
    return re.sub(r"\s+", " ", text.translate(_FA_MAP).lower())


@lru_cache(maxsize=None)
def _compiled(kind: str, lang: str) -> re.Pattern[str] | None:
    table = INTENSIFIERS if kind == "intensifier" else LEXICON[kind]
    langs = [lang] if lang in table else list(table)
    pats = [p.translate(_FA_MAP) for lg in langs for p in table.get(lg, [])]
    if not pats:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(f"(?:{p})" for p in pats) + ")", re.UNICODE)


@lru_cache(maxsize=None)
def _neg_advocacy(lang: str) -> re.Pattern[str]:
    pats = [_NEG_ADVOCACY[lang]] if lang in _NEG_ADVOCACY else list(_NEG_ADVOCACY.values())
    return re.compile(r"(?<![^\W_])(?:" + "|".join(pats) + ")", re.UNICODE)


def find_cues(text: str, lang: str | None = None) -> dict[str, str]:
    """The cue phrase found for each cue-based signal type in one sentence: {type: matched text}."""
    low = normalise(text)
    lang = (lang or "").lower()[:2]
    out: dict[str, str] = {}
    for kind in ("churn_risk", "advocacy", "customer_effort"):
        rx = _compiled(kind, lang)
        m = rx.search(low) if rx else None
        if m:
            out[kind] = m.group().strip()
    if "advocacy" in out and _neg_advocacy(lang).search(low):
        out.pop("advocacy")  # "nie polecam" warns others off: that is churn, and the churn list has it
    return out


def _get(obj: Any, key: str, default=None):
    return obj.get(key, default) if isinstance(obj, Mapping) else getattr(obj, key, default)


def _probs(sentiment: Any) -> tuple[float, float, float]:
    scores = _get(sentiment, "scores") or {}
    return (float(scores.get("negative", 0.0)), float(scores.get("neutral", 0.0)), float(scores.get("positive", 0.0)))


def sentence_signals(text: str, sentiment: Any, emotions: Mapping[str, float] | None = None,
                     touchpoints: Sequence[Mapping[str, Any]] = (), lang: str | None = None,
                     stages: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Signals of one sentence (no offsets): [{"type", "score", "cue", "touchpoint", "sentiment"}]."""
    neg, _neu, pos = _probs(sentiment)
    cues = find_cues(text, lang)
    top_tp = touchpoints[0] if touchpoints else None
    out = []

    def add(kind: str, score: float, cue: str | None, tp=None):
        out.append({"type": kind, "score": round(float(min(max(score, 0.0), 1.0)), 4), "cue": cue,
                    "touchpoint": _get(tp, "name") if tp else None,
                    "sentiment": "negative" if neg > pos else "positive" if pos > neg else "neutral"})

    if "churn_risk" in cues:
        add("churn_risk", 0.6 + 0.4 * neg, cues["churn_risk"], top_tp)
    if "advocacy" in cues:
        add("advocacy", (0.6 + 0.4 * pos) * (1.0 - 0.5 * neg), cues["advocacy"], top_tp)
    if "customer_effort" in cues:
        add("customer_effort", 0.5 + 0.5 * neg, cues["customer_effort"], top_tp)
    if top_tp is not None:
        emo = max((float(v) for k, v in (emotions or {}).items() if k != "anticipation"), default=0.0)
        stage = (stages or {}).get(_get(top_tp, "name")) or _get(top_tp, "stage")
        intens = _compiled("intensifier", (lang or "").lower()[:2])
        m = intens.search(normalise(text)) if intens else None
        tneg, _, tpos = _probs({"scores": _get(top_tp, "sentiment_scores")}) if _get(top_tp, "sentiment_scores") else (neg, 0, pos)
        score = abs(tpos - tneg) * (0.5 + 0.5 * emo) * KEY_STAGES.get(stage, 0.9) + (0.15 if m else 0.0)
        if score >= MOMENT_MIN:
            add("moment_of_truth", score, m.group().strip() if m else None, top_tp)
    return out


def detect_signals(sentences: Iterable[Any], lang: str | None = None, detector=None) -> list[dict[str, Any]]:
    """Text-level signals from its sentences (``SentenceResult`` objects or their dicts).

    One entry per signal type, from its strongest sentence, with that sentence's offsets and text, and
    ``count`` = how many sentences raised it; ordered by score (ties in :data:`SIGNAL_TYPES` order).
    ``detector`` (a ``TouchpointDetector``) supplies journey stages for the moment-of-truth weight.
    """
    stages = None
    if detector is not None:
        stages = {t.id: t.stage for t in detector.taxonomy.touchpoints}
    best: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for s in sentences:
        text = _get(s, "text") or ""
        if not isinstance(text, str) or not text.strip():
            continue
        for sig in sentence_signals(text, _get(s, "sentiment"), _get(s, "emotions"), _get(s, "touchpoints") or (),
                                    lang, stages):
            kind = sig["type"]
            counts[kind] = counts.get(kind, 0) + 1
            if kind not in best or sig["score"] > best[kind]["score"]:
                best[kind] = dict(sig, start=_get(s, "start"), end=_get(s, "end"), text=text)
    order = {k: i for i, k in enumerate(SIGNAL_TYPES)}
    out = []
    for kind, sig in best.items():
        out.append({"type": kind, "score": sig["score"], "start": sig["start"], "end": sig["end"], "text": sig["text"],
                    "cue": sig["cue"], "touchpoint": sig["touchpoint"], "sentiment": sig["sentiment"],
                    "count": counts[kind]})
    return sorted(out, key=lambda d: (-d["score"], order.get(d["type"], 99)))


__all__ = ["SIGNAL_TYPES", "LEXICON", "detect_signals", "sentence_signals", "find_cues", "normalise"]
