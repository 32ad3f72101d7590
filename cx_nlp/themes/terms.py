"""Words and phrases of a sentence for theme keywords: tokens, lemmas, per-language stopwords, n-grams.

Lemmas come from ``simplemma`` (offline lemma tables for ~50 languages) when it is installed; without it,
words are only lowercased. Stopword lists are compact and hand-written (function words, auxiliaries,
pronouns, intensifiers): large generic lists such as stopwords-iso also drop the content words a CX theme
is made of ("order", "room", "деньги", "работа"), and class-based TF-IDF already discounts words that are
frequent everywhere.
"""
from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["EVALUATIVE", "NUMBERS", "poor_name", "STOPWORDS", "stopwords", "lemmatize_word", "tokens", "terms", "has_lemmatizer"]

_W = str.split
STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(_W(v)) for k, v in {
    "en": """a an the and or but nor if then else so than that this these those there here it its it's i me my
        mine we us our ours you your yours he him his she her hers they them their theirs what which who whom
        whose when where why how all any both each few more most other some such no not only own same too very
        can will just don't should now is am are was were be been being have has had having do does did doing
        would could might must shall may of at by for with about against between into through during before
        after above below to from up down in out on off over under again further once also as because until
        while im i'm i've ive you're they're we're isn't wasn't aren't weren't didn't doesn't don't won't can't
        cannot couldn't wouldn't shouldn't hasn't haven't hadn't get got getting really quite much many lot lots
        even still yet just ever one two like well s t re ve ll d m o y ok okay oh yes yeah please""",
    "ro": """a al ale alea ai am ar are as asta aceasta acest acesta aceea acel acela acei aceia acele acelea
        acolo aici apoi au avea avem aveți aveti ați ati azi ba bine ca că cand când care cât cat cu cum da dar
        de deci deja despre din dintre doar după dupa e ea ei el ele eram este eu fi fie fost foarte fără fara
        iar il îl îi ii în in la le li lor lui m-am mai mea mele meu mi mie mult multe multă nici niciodată
        noi nostru noastră nu o ori ne pe până pana pentru poate prea prin sa să se si și sau sunt suntem
        sînt tot toate toți toti tu un una unei unui unor unde v-ați vă va voi vom vor voastră vostru ce ceva
        fiind fiecare încă inca însă insa ăsta asta ăla aia lucru""",
    "pl": """a aby ale albo ani aż bardzo bez bo być był była było byli były będzie będą by co czy dla do gdy
        gdzie go i ich ile im ja jak jako je jego jej jest jestem jeszcze jeśli już ją każdy kiedy kto która
        które którego który ma mam mi mnie mną mój moja moje może mu my na nad nam nas nawet nic nie niej nim
        niż no o od on ona one oni ono oraz po pod ponieważ przed przez przy sam się są ta tak także tam te
        tego tej ten też to tu tylko tym u w we więc wszystko z za ze że żeby był mieć zostać bardzo""",
    "ru": """а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже
        для до его ее её ей ему если есть еще ещё же за здесь и из или им их к как какой когда кто ли либо
        мне много может мой мы на над нам нас не него нее неё нет ни них но ну о об один он она они оно от
        очень по под при раз с сам себя со так также такой там те тем то того тоже только тот ту ты у уж уже
        хотя чего чей чем что чтобы эта эти это этот я весьма просто вообще совсем наш ваш свой который этого""",
    "uk": """а але без би був була були було бути в вам вас весь ви від во все всі де для до його її їй їм
        їх з за і й із к коли котрий ми мене мені на над нам нас не немає ні ну о об один він вона вони воно
        от по під при с сам саме та так також там те тим то того тож тільки ти у уже хоча чи що щоб це цей ця
        ці я дуже просто який яка які вже ще""",
    "fa": """و در به از که این آن را با است برای تا هم بر یا اما ولی هر همه من ما تو شما او آنها ایشان خود
        نیز بود بودن باشد باشند شد شده شود می نمی هست هستند نیست چه چون اگر پس دیگر یک های ها ای یه رو
        کرد کردم کرده کن کنم کند کنید داشت دارد دارم داره بسیار خیلی خیلیی واقعا فقط حتی هنوز چند چندین
        آیا کجا کی چرا چطور مثل مانند بعد قبل روی زیر بین باید شان اش ام ست بی""",
    "de": """der die das den dem des ein eine einer eines einem einen und oder aber wenn dann so als wie auch
        nicht kein keine ich du er sie es wir ihr mich mir dich dir uns euch ihn ihm ihnen sein seine ihre mein
        meine dein unser ist sind war waren bin bist sein haben hat hatte hatten habe wird werden wurde wurden
        kann können muss müssen soll sollte würde hier da dort mit von zu zum zur bei aus nach vor über unter
        für durch auf an in im am um bis noch schon nur sehr ganz mal doch ja nein""",
    "fr": """le la les un une des du de d l au aux et ou mais donc or ni car que qui quoi dont où ce cet cette
        ces il elle ils elles on je tu nous vous me te se moi toi lui leur leurs mon ma mes ton ta tes son sa
        ses notre nos votre vos est sont était étaient être avoir a ai as avons avez ont avait fait faire très
        trop plus moins pas ne n y en dans sur sous avec sans pour par chez entre vers comme si bien aussi
        encore déjà tout tous toute toutes c qu j s m t""",
    "es": """el la los las un una unos unas de del al y o u pero sino que quien cual cuyo donde como cuando
        este esta estos estas ese esa esos esas eso esto aquel yo tú tu él ella nosotros vosotros ellos ellas
        me te se nos os le les lo mi mis su sus nuestro vuestro es son era eran fue fueron ser estar está
        están estaba he ha han había hay haber muy mucho muchos más menos no ni ya también tan en con sin
        por para sobre entre hasta desde a muy""",
    "it": """il lo la i gli le un uno una di del dello della dei degli delle a al allo alla ai agli alle da
        dal in nel nella con su sul per tra fra e o ma però che chi cui dove come quando questo questa questi
        quello quella io tu lui lei noi voi loro mi ti si ci vi mio mia tuo suo nostro è sono era erano essere
        stato ho ha hanno avere molto troppo più meno non né anche già ancora così solo""",
    "pt": """o a os as um uma uns umas de do da dos das em no na nos nas por pelo pela para com sem e ou mas
        que quem qual onde como quando este esta isto esse essa isso aquele eu tu ele ela nós vós eles elas me
        te se nos lhe lhes meu minha seu sua nosso é são era eram foi foram ser estar está estão estava tem
        têm ter há muito muita mais menos não nem já também tão só ainda""",
    "tr": """ve ile de da ki mi mu mı mü bu şu o bir ben sen biz siz onlar beni bana benim bizim onun için
        gibi kadar ama fakat ancak veya ya çok daha en hem ne neden nasıl her hiç değil var yok olarak olan
        oldu olması ise diye sonra önce şey çünkü zaten bile artık""",
}.items()}


# Evaluative words (lemmas): fine keywords, poor theme names ("Good / staff" -> "Staff / friendly").
EVALUATIVE: frozenset[str] = frozenset(_W("""
    good great bad nice excellent terrible awful amazing perfect poor best worst better worse fine horrible
    lovely wonderful fantastic love hate like recommend ok okay happy disappointed disappointing
    bun bună excelent rău prost minunat perfect slab dezamăgit recomand super
    dobry dobra świetny świetnie zły źle słaby super polecać polecam rewelacyjny beznadziejny
    хороший хорошо плохой плохо отличный отлично ужасный ужасно прекрасный замечательный нормальный супер
    нравиться понравиться рекомендовать совсем вообще очень
    добрий гарний поганий чудовий жахливий
    خوب بد عالی افتضاح ضعیف بهترین بدترین راضی
    gut schlecht toll super schön prima bon mauvais excellent génial bueno malo excelente buono cattivo ottimo
    bom mau ótimo iyi kötü harika güzel"""))


# Counts (lemmas): "three times", "five minutes" recur in complaints, but "Three / paying" names nothing.
NUMBERS: frozenset[str] = frozenset(_W("""
    one two three four five six seven eight nine ten twice once first second third hundred
    unu doi două trei patru cinci șase zece prima primul
    jeden dwa trzy cztery pięć sześć dziesięć dwukrotnie raz
    один два три четыре пять шесть десять дважды первый второй
    یک دو سه چهار پنج شش ده
    eins zwei drei vier fünf un deux trois quatre cinq dos tres cuatro cinco uno due tre quattro cinque"""))


def poor_name(key: str) -> bool:
    """A keyword (lemma key) that may describe a theme but should not lead its name: evaluative words, a
    phrase made only of those, or a count ("three times", "5 days": the quantity, not the topic)."""
    words = key.split()
    if not words:
        return False
    return words[0] in NUMBERS or words[0].isdigit() or all(w in EVALUATIVE for w in words)


def stopwords(lang: str | None) -> frozenset[str]:
    return STOPWORDS.get((lang or "").split("-")[0].lower(), STOPWORDS["en"])


try:  # optional: lemma tables shipped inside the wheel, no network
    import simplemma as _simplemma

    _SIMPLEMMA_LANGS = set(getattr(_simplemma, "SUPPORTED_LANGUAGES", ())) or None
except Exception:  # pragma: no cover - optional dependency
    _simplemma = None
    _SIMPLEMMA_LANGS = None


def has_lemmatizer() -> bool:
    return _simplemma is not None


@lru_cache(maxsize=500_000)
def lemmatize_word(word: str, lang: str | None) -> str:
    w = word.lower()
    if _simplemma is None or not lang or lang == "und":
        return w
    if _SIMPLEMMA_LANGS is not None and lang not in _SIMPLEMMA_LANGS:
        return w
    try:
        return _simplemma.lemmatize(w, lang=lang).lower()
    except Exception:  # an unsupported language code
        return w


# Words (letters, with inner apostrophes/hyphens); digits and punctuation break phrases.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+|[^\w\s]", re.UNICODE)


def tokens(text: str, lang: str | None) -> list[tuple[str, str, bool]]:
    """``(lemma, surface, is_stop)`` per word; ``("", "", True)`` for a phrase break (punctuation, digits)."""
    stop = stopwords(lang)
    out: list[tuple[str, str, bool]] = []
    for m in _TOKEN.finditer(text):
        s = m.group(0)
        if not s[0].isalpha():
            out.append(("", "", True))
            continue
        low = s.lower()
        lem = lemmatize_word(low, lang)
        is_stop = low in stop or lem in stop or len(lem) < 2
        out.append((lem, low, is_stop))
    return out


def terms(text: str, lang: str | None, ngram_max: int = 3) -> list[tuple[str, str]]:
    """Keyword candidates ``(key, surface)``: content lemmas and 2..ngram_max-word phrases.

    A phrase never crosses punctuation and neither starts nor ends with a stopword (inner stopwords are
    kept: "waste of money"). ``key`` is lemmatised ("late delivery"), ``surface`` the words as written.
    """
    toks = tokens(text, lang)
    out: list[tuple[str, str]] = []
    n = len(toks)
    for i, (lem, sur, st) in enumerate(toks):
        if not lem or st:
            continue
        out.append((lem, sur))
        for k in range(2, ngram_max + 1):
            j = i + k
            if j > n:
                break
            win = toks[i:j]
            if any(not t[0] for t in win):
                break
            if win[-1][2]:
                continue
            out.append((" ".join(t[0] for t in win), " ".join(t[1] for t in win)))
    return out
