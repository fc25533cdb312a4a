"""Names: a source name must appear in the translation verbatim or as its English exonym.

A source name is a capitalised word (or a run of them) that is not an Indonesian common word, decided
by the Sastrawi root-word lexicon (`lexicon.is_indonesian_word`): "Bencana", "Distrik", "Perang Dingin"
are words a translation rightly translates; "Jokowi", "Kaka" are names. Acronyms (KPK, AWS) are names
too, unless `TRANSLATABLE_ACRONYMS` gives an English rendering found in the translation. Exonyms of
countries, cities and languages come from CLDR (`lexicon.exonyms`: Tiongkok -> China, Jepang -> Japan).

A name that is missing while the translation holds a new proper name -- capitalised, not in the source,
not an exonym, and not an English word in any case (Webster's 2nd, from `english-words`), found near where the name was -- is
`name_changed` (error); a name that is only missing is `name_missing` (warning).
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Iterable

from summarizer.checks import english_lexicon
from summarizer.checks.lexicon import day_names, exonyms, translatable_acronyms, is_indonesian_word, is_root_word, month_numbers, place_names
from summarizer.checks.scan import sentence_spans
from summarizer.checks.severity import finding
from summarizer.schemas import Finding

# Indonesian acronyms that a good translation may spell out in English instead (renderings.toml).
TRANSLATABLE_ACRONYMS: dict[str, tuple[str, ...]] = translatable_acronyms()

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9&'’-]*[A-Za-z0-9]|[A-Z]")
# a `_TOKEN` from its capital on: searched for on its own, a pattern that opens with a letter class
# lets the regex engine skip to the next capital instead of stopping at every word
_FROM_CAPITAL = re.compile(r"[A-Z](?:[A-Za-z0-9&'’-]*[A-Za-z0-9])?")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TOKEN_NON_LETTERS = frozenset("0123456789&'’-")
_NOT_NAMES = re.compile(
    r"\b(?:US|S|A|HK|NZ|C)\$|\b(?:US|Rp|IDR|USD)(?=\s?\d)|#\w+|\S+@\S+|https?://\S+|\b\w+\.(?:co\.id|com|id|org|net)\b"
)
# what every match of _NOT_NAMES holds ("$", "Rp", "#", "@", "http", ".com"): most sentences hold none
_NOT_NAME_MARKS = ("$", "US", "Rp", "IDR", "#", "@", "http", ".co", ".id", ".org", ".net")
_LOWER_WORD = re.compile(r"\b[a-z][a-z'-]+\b")
# words that open Indonesian sentences and that the root-word lexicon lacks (function words, clitics)
_OPENING_WORDS = frozenset("ia dia mereka kami kita saya aku anda engkau beliau namun tetapi sementara meski meskipun "
                           "walaupun bahkan selain sedangkan adapun kemudian lalu dulu kini sebelumnya sesudahnya menurutnya "
                           "katanya ujarnya tuturnya jelasnya imbuhnya tambahnya lanjutnya".split())
_ROMAN = frozenset({"I", "II", "III", "IV", "V", "VI", "X"})
_OPENERS = frozenset(":“\"'‘■●•-—–([")


def _english_words() -> english_lexicon.SortedWords:
    """The dictionary's lower-case entries: capitalised ones are names ("Shirley", "Margaret")."""
    return english_lexicon.lowercase_words()


def _dictionary_entries() -> english_lexicon.EitherWords:
    """Every entry, lower-cased: with the capitalised ones ("Christmas", "Jew")."""
    return english_lexicon.entries()


def _in_dictionary(word: str) -> bool:
    lowered = word.lower()
    entries = _dictionary_entries()
    return any(form in entries for form in (lowered, lowered.removesuffix("s"), lowered.removesuffix("es")))


def _is_heading(sentence: str, words: list[str]) -> bool:
    """A title-cased line ("Paradoks Investasi dan Efisiensi"): its capitals are no evidence of names.
    A sentence that ends like one is not a heading, however many names it holds."""
    if len(words) < 2:
        return True
    if sentence.rstrip("\"'”’)]").endswith((".", "!", "?", "…")):
        return False
    return sum(w[0].isupper() for w in words) / len(words) > 0.6


def _common(word: str, lower_words: frozenset[str]) -> bool:
    lowered = word.lower()
    if lowered in place_names() and lowered not in lower_words:
        return False  # a country or city, though KBBI lists some ("Indonesia", "Kenya", "Paris")
    return (
        lowered in lower_words or is_indonesian_word(word) or lowered in day_names() or lowered in month_numbers()
    )


@lru_cache(maxsize=2)
def _lower_words(text: str) -> frozenset[str]:
    """The words `text` writes in lower case. Cached for the last texts: `name_candidates` and
    `word_names` read the same source (when no fact was blanked in it)."""
    return frozenset(_LOWER_WORD.findall(text))


def _mostly_capitals(word: str) -> bool:
    """An acronym: "KPK", "LLMs", "R&D"; not "Mei-Juni" or "McDonald"."""
    capitals = sum(c.isupper() for c in word)
    return capitals >= 2 and capitals * 2 >= sum(c.isalpha() for c in word)


@lru_cache(maxsize=1)
def _multiword_place_firsts() -> frozenset[str]:
    """The first words of the places of more than one word: only there can a multi-word place start."""
    return frozenset(place.split()[0] for place in place_names() if " " in place)


def _multiword_places(sentence: str, tokens: list[re.Match[str]], words: list[str], capitalised: list[int]) -> set[int]:
    """Indexes of the tokens that form, two or three capitalised words together, a place CLDR names
    and English writes the same ("Kuala Lumpur", "Buenos Aires"); one English translates ("Asia
    Tenggara", "Inggris Raya") keeps its words' own treatment. `words` are the tokens' texts,
    `capitalised` the indexes of the capitalised ones."""
    marked: set[int] = set()
    firsts = _multiword_place_firsts()
    for i in capitalised:  # each word of the place is capitalised
        if words[i].lower() not in firsts:
            continue
        for size in (3, 2):
            span = range(i, i + size)
            if i + size > len(tokens) or not all(words[j][0].isupper() for j in span) or not all(
                sentence[tokens[j].end():tokens[j + 1].start()] == " " for j in span[:-1]
            ):
                continue
            place = " ".join(words[j].lower() for j in span)
            if place in place_names() and place in {n.lower() for n in exonyms().get(place, ())}:
                marked.update(span)
    return marked


def name_candidates(source: str, facts: Iterable[tuple[int, int]] = ()) -> list[tuple[str, int, int]]:
    """The names of `source`: (name, start, end), runs of capitalised words split at common words.

    `facts` are the spans of the source's facts (codes, times with their zone, offsets): checked as
    facts, so their letters ("HER2", "GMT") are no names."""
    for start, end in facts:
        source = source[:start] + " " * (end - start) + source[end:]
    lower_words = _lower_words(source)
    english = _english_words()
    found: list[tuple[str, int, int]] = []
    for sentence_start, sentence_end in sentence_spans(source):
        sentence = source[sentence_start:sentence_end]
        # currency marks and addresses are no names ("US$5", "Rp5", "kompas.com"): blank them, same length
        if any(mark in sentence for mark in _NOT_NAME_MARKS):
            sentence = _NOT_NAMES.sub(lambda m: " " * len(m.group()), sentence)
        tokens = list(_TOKEN.finditer(sentence))
        words = [t.group() for t in tokens]  # read once: most of a text's tokens are only looked at here
        capitalised = [p for p, word in enumerate(words) if word[0].isupper()]
        # a title-cased line ("Paradoks Investasi dan Efisiensi", "Oprah Winfrey, Celine Dion"): its
        # capitals are no evidence, so only words in no Indonesian dictionary are names there (an English
        # word in an Indonesian line is a name or a title kept verbatim: "Heather Graham", "Luke Shaw")
        heading = _is_heading(sentence, words)
        in_place = _multiword_places(sentence, tokens, words, capitalised)
        run: list[re.Match[str]] = []

        def flush() -> None:
            if run:
                name = sentence[run[0].start():run[-1].end()]
                found.append((name, sentence_start + run[0].start(), sentence_start + run[-1].end()))
                run.clear()

        # Only capitalised tokens can be names (a token starts with a letter and ends with a letter or
        # digit, so nothing is stripped): the rest only end a run, so they are skipped here, not looped
        # over (most of a text).
        last = -2
        for position in capitalised:
            if position != last + 1:
                flush()  # a lower-case word came between, which ends a run
            last = position
            token, word = tokens[position], words[position]
            marks = sentence[tokens[position - 1].end() if position else 0:token.start()].strip()
            if run and marks:
                flush()  # punctuation between two words ends a name: "Anthropic, Amazon"
            if not word.isalpha() and any(c.isdigit() for c in word):
                flush()
                continue
            lowered = word.lower()
            if position in in_place:
                keep = True  # "Kuala Lumpur": each word is a KBBI word (estuary, mud), together a city
            elif run and lowered in english and lowered not in lower_words and lowered not in _OPENING_WORDS:
                # a word of both languages after a name continues it ("Wings Air", "Brown Sugar"), in a
                # title-cased line too: an Indonesian modifier that follows a name ("Jawa Barat") is no English word
                keep = len(word) >= 3
            elif len(word) >= 2 and not word[1:].islower() and _mostly_capitals(word):  # an acronym
                keep = word not in _ROMAN and not heading
            elif heading:
                keep = len(word) >= 3 and not _common(word.split("-")[0], lower_words)
            else:
                # a sentence's first word is a name only when it is no Indonesian word at all
                opener = position == 0 or (marks and marks[-1] in _OPENERS)
                keep = len(word) >= 3 and not _common(word.split("-")[0], lower_words) and (not opener or lowered not in _OPENING_WORDS)
            if keep:
                run.append(token)
            else:
                flush()
        flush()
    return found


_ALONE = re.compile(r"(?<![\w'’-])[A-Z][a-z]{3,}(?=\s[a-z]|[,.;:!?)]|$)")
_CAPITALISED_WORD = re.compile(r"(?<![\w'’-])[A-Z][a-z]{3,}(?=\s|[,.;:!?)]|$)")
# a word of both dictionaries this long is a loan both languages share ("terminal", "arsenal"), kept by a
# translation as it is; a shorter one is as often a chance likeness (Indonesian "raja" king, "dewan" council)
_SHARED_LOAN = 6
_BEFORE = re.compile(r"(?<![\w'’-])(?P<lead>[A-Za-z][a-z'’-]*)(?P<comma>,?) $")
_LIST_GOES_ON = re.compile(r",|\s(?:dan|atau|serta)\s[A-Z]")  # "Ahmad, Arya, Juard", "Suryadi, Jurit dan Ibrahim"


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """Sastrawi's Indonesian stop words: prepositions and conjunctions ("di", "dari", "dan")."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


def _name_context(source: str, match: re.Match[str], name_words: set[str]) -> int:
    """The shortest word length at which the capitalised word of `match` is a name, or 0: after a
    lower-case word (4 letters: "dunia Arab", "saya, Masa"; a stop word there, "Tapi", is a sentence's
    first word the text ran on, and `word_names` skips stop words); after a sentence's first word that
    is a stop word ("Di Venus,"); or between names of a list ("Ahmad, Arya, Juard"; 4 letters: not
    "Eric, Terima kasih")."""
    before = _BEFORE.search(source, max(0, match.start() - 40), match.start())
    if before is None:
        return 0
    lead = before.group("lead")
    if lead[0].islower():
        return 4
    if before.group("comma"):
        listed = _LIST_GOES_ON.match(source, match.end())
        return 4 if listed and lead.lower() in name_words else 0
    rest = source[:before.start()].rstrip(" \"'“”‘’([")
    opens = not rest or rest[-1] in ".!?:\n"
    return 5 if opens and lead.lower() in _stop_words() else 0


def word_names(source: str, names: set[str]) -> list[tuple[str, int]]:
    """Names that are also Indonesian words ("Budiman", "Lampung", "Setiawan", "Arsenal"): a dictionary
    word capitalised alone mid-sentence (`_name_context`), or before another capital when English spells
    it the same (`_SHARED_LOAN`), and never written in lower case in the text nor a stop word.
    Weaker evidence than `name_candidates`: missing, they are a warning, never a swap.
    `names` are the candidates already found (lower case)."""
    lower_words = _lower_words(source)
    name_words = {word for name in names for word in name.split()}
    found, seen = [], set(names)
    for match in _CAPITALISED_WORD.finditer(source):
        lowered = match.group().lower()
        if not _ALONE.match(source, match.start()) and (len(lowered) < _SHARED_LOAN or lowered not in _english_words()):
            # before another capital only a shared loan: a translation keeps it whether name or word
            # ("Arsenal Alexis Sanchez", "Terminal Senen"), where it translates "Dewan Perwakilan Rakyat"
            continue
        if (lowered in seen or lowered in lower_words or lowered in _OPENING_WORDS or lowered in _stop_words()
                or lowered in day_names() or lowered in month_numbers()):
            continue  # a stop word ("Tapi", "Bagi") is capitalised as a sentence's first word, its full stop lost
        shortest = _name_context(source, match, name_words)
        if not shortest or len(lowered) < shortest:
            continue
        seen.add(lowered)
        if is_root_word(lowered):  # a derived word ("Pemerintah") or a short one ("Tapi") is a word
            found.append((match.group(), match.start()))
    return found


# what may follow a name that is kept: "Indonesia" in "Indonesian", "Jakarta" in "Jakarta-based",
# a plural "LLMs", a possessive
_KEPT_SUFFIX = re.compile(r"(?:n|an|ns|ans|s|es|i|is|'s|’s)?(?![A-Za-z])", re.IGNORECASE)


def _present(word: str, translation: str, lowered: str | None = None) -> bool:
    """`word` in `translation`, case-insensitively, as a word of its own (plus `_KEPT_SUFFIX`).

    Found with `str.find` and checked at the edges, not with a pattern per word: compiling a
    case-insensitive pattern costs ~0.5 ms, and every article brings new names."""
    lowered = translation.lower() if lowered is None else lowered
    needle = word.lower()
    if len(lowered) != len(translation):  # a character whose lower case is longer ("İ"): search by pattern
        return re.search(r"(?<![A-Za-z])" + re.escape(word) + _KEPT_SUFFIX.pattern, translation, re.IGNORECASE) is not None
    at = lowered.find(needle)
    while at != -1:
        before = translation[at - 1] if at else " "
        # a word of its own, or glued to the one before by a lost space ("beatRoger Federer")
        own = not ("a" <= before.lower() <= "z") or (before.islower() and translation[at].isupper())
        if own and _KEPT_SUFFIX.match(translation, at + len(needle)):
            return True
        at = lowered.find(needle, at + 1)
    return False


_STEM = 5  # names this long or longer match on their first 55% (4 letters at least):
# "Amerika"/"American", "Palestina"/"Palestinian", "China"/"Chinese", "Afghanistan"/"Afghan"


_LETTERS = re.compile(r"[a-z]+")


def _near_spelling(word: str, lowered: str, text: str | None = None, others: _SourceWords | None = None) -> bool:
    """The translation has a word sharing the first letters of `word` and most of its length --
    capitalised, when `text` (the original case of `lowered`) is given: "Thatcher" is not "that".
    A word that is one of `others.letters` (the source's other words) renders that word: "Morigami" is not "Morita"."""
    if len(word) < _STEM or not word.isalpha():
        return False
    stem = word[: max(_STEM - 1, round(len(word) * 0.55))].lower()
    at = lowered.find(stem)
    while at != -1:
        if (at == 0 or not lowered[at - 1].isalpha()) and (text is None or len(text) != len(lowered) or text[at].isupper()):
            if others is None:
                return True
            found = _LETTERS.match(lowered, at).group()
            if found not in others.letters or found == word.lower():
                return True
        at = lowered.find(stem, at + 1)
    return False


def _rendered(word: str, translation: str, lowered: str, others: _SourceWords | None = None) -> bool:
    """`word` is in the translation, near-spelled (not as one of `others`, the source's other words),
    as an exonym or as an acronym's English rendering."""
    if _present(word, translation, lowered) or _near_spelling(word, lowered, translation, others):
        return True
    for english in exonyms().get(word.lower(), ()):
        if (_present(english, translation, lowered) or _present(english.split()[0], translation, lowered)
                or _near_spelling(english, lowered, translation)):
            return True
    # an acronym of four letters or more is also written as a word ("Polri", "Tipikor"); a shorter
    # title-cased word ("As", "Ki") is a word, not "AS" or "KI"
    renderings = TRANSLATABLE_ACRONYMS.get(word.upper()) if word.isupper() or (len(word) >= 4 and word.istitle()) else None
    return bool(renderings) and any(r.lower() in lowered for r in renderings)


_CAPITALISED_BEFORE = re.compile(r"(?:[A-Z][\w'-]*\s){1,3}$")
_CAPITALISED_AFTER = re.compile(r"(?:\s[A-Z][\w'-]*){1,3}")


def _phrase_rendered(source: str, start: int, name: str, translation: str, lowered: str) -> bool:
    """The name inside a longer capitalised phrase that CLDR knows: "Amerika" in "Amerika Serikat",
    "Soviet" in "Uni Soviet" (the common words "Serikat", "Uni" end a name run but not a place name)."""
    before = _CAPITALISED_BEFORE.search(source[max(0, start - 60):start])
    after = _CAPITALISED_AFTER.match(source, start + len(name))
    left = before.group().split() if before else []
    right = after.group().split() if after else []
    table = exonyms()
    for i in range(len(left) + 1):
        for j in range(len(right) + 1):
            if i == 0 and j == 0:
                continue
            phrase = " ".join([*left[len(left) - i:], name, *right[:j]])
            if phrase.lower() in table and _rendered(phrase, translation, lowered):
                return True
    return False


_ALIKE = 0.7  # difflib ratio from which two spellings are one name (0.5 with the same first 3 letters)
_FIRST_SOUNDS = {"c": "k", "k": "c", "q": "k", "f": "p", "p": "f", "j": "y", "y": "j"}


class _SourceWords:
    """What the names check reads of the source beyond its candidates, each read once and only when a
    name is not found verbatim: its lower-case tokens and the English names of the places and languages
    they name (`_free_tokens`, `_new_proper_names`), its runs of letters (`_near_spelling`)."""

    def __init__(self, source: str) -> None:
        self.source = source

    @cached_property
    def words(self) -> list[str]:
        return _TOKEN.findall(self.source.lower())

    @cached_property
    def exonyms(self) -> set[str]:
        return _source_exonyms(self.words)

    @cached_property
    def letters(self) -> frozenset[str]:
        """The source's runs of letters, accents dropped and lower-cased."""
        return frozenset(_LETTERS.findall(_fold(self.source).lower()))


def _free_tokens(source: _SourceWords, translation: str) -> frozenset[str]:
    """The translation's capitalised tokens (`_capitalised_tokens`) of four letters or more that no other
    source word accounts for: "Real" renders the source's own "Real" (Madrid), not a missing "Raul";
    "Chinese" renders "Tiongkok"; "And" is too short to tell a spelling from a word; a month the source
    names ("March" for "Maret") renders that month, not a name ("Mirah")."""
    taken = set(source.words)
    taken |= {word for name in source.exonyms for word in name.split()}
    months = month_numbers()
    source_months = {months[word] for word in taken if word in months}
    return frozenset(token for token in _capitalised_tokens(translation) if len(token) >= 4 and token.lower() not in taken
                     and months.get(token.lower()) not in source_months)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", match.group()) if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """`text` without its accents ("Arsène" -> "Arsene"): the tokens are ASCII words. Only the non-ASCII
    runs are decomposed (NFKD leaves ASCII as it is, and an accent is dropped wherever it stands), so
    a long text with a few curly quotes is not walked character by character."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_run, text)


def capitalised_tokens(text: str) -> list[re.Match[str]]:
    """The matches of `_TOKEN.finditer(text)` that start with a capital, found without matching the
    rest: a token starts at the first letter of a run of token characters and takes the run up to its
    last letter or digit, so a capital is a token's start unless a letter stands before it in its run
    ("eBay", "Mc-Donald")."""
    out = []
    for match in _FROM_CAPITAL.finditer(text):
        before = match.start() - 1
        while before >= 0 and text[before] in _TOKEN_NON_LETTERS:
            before -= 1
        if before < 0 or text[before] not in _ASCII_LETTERS:
            out.append(match)
    return out


def _capitalised_tokens(text: str) -> frozenset[str]:
    """The capitalised tokens of `text`, accents dropped, and each two adjacent ones written together
    ("Abdul Rahman" -> "AbdulRahman": "Abdulrachman" is that name). A one-letter word joins nothing:
    "And I" is no "AndI" to pass for "Andy"."""
    text = _fold(text)
    tokens = capitalised_tokens(text)
    joined = {a.group() + b.group() for a, b in zip(tokens, tokens[1:])
              if text[a.end():b.start()] == " " and min(len(a.group()), len(b.group())) >= 2}
    return frozenset({t.group() for t in tokens} | joined)


_COGNATE = 0.55  # a dictionary word and its English cognate: "Olimpiade"/"Olympics", "Kristen"/"Christian"


# Indonesian spelling of borrowed names, undone on both sides before comparing: "Jenewa"/"Geneva",
# "Kuba"/"Cuba", "Filipus"/"Philipus" (the letters Indonesian writes for the foreign ones)
_LOAN_SPELLINGS = (("ph", "f"), ("th", "t"), ("ch", "k"), ("ck", "k"), ("c", "k"), ("q", "k"), ("x", "ks"),
                   ("v", "w"), ("ge", "je"), ("gi", "ji"), ("y", "i"), ("oo", "u"))


def _loan_spelling(word: str) -> str:
    for foreign, indonesian in _LOAN_SPELLINGS:
        word = word.replace(foreign, indonesian)
    return word


def _spelled_alike(word: str, tokens: frozenset[str], cognate: bool = False) -> bool:
    """One of `tokens` (`_capitalised_tokens` of the other text) is `word` spelled another way
    (`cognate`: or the English word it was borrowed from, a looser likeness)."""
    from difflib import SequenceMatcher

    lowered = word.lower()
    firsts = {lowered[0], _FIRST_SOUNDS.get(lowered[0], lowered[0])}
    for token in tokens:
        candidate = token.lower()
        if abs(len(candidate) - len(lowered)) > 3:
            continue
        if candidate[0] not in firsts:
            if not (candidate[0] == "g" and lowered[0] == "j"):  # "Jenewa"/"Geneva"
                continue
        needed = 0.5 if candidate[:3] == lowered[:3] else (_COGNATE if cognate else _ALIKE)
        matcher = SequenceMatcher(None, lowered, candidate)
        if matcher.quick_ratio() >= needed and matcher.ratio() >= needed:
            return True
        if _loan_spelling(lowered) == _loan_spelling(candidate):
            return True  # the same letters once Indonesian spelling is undone (a likeness would match too much)
    return False


_NAME_WINDOW = 0.2  # a replacement sits about where the name was: within 20% of the text's length
_WORD_NAME_WINDOW = 0.1  # closer for a name that is also a dictionary word: weaker evidence


def _source_exonyms(words: list[str]) -> set[str]:
    """The English names (lower case) of the places and languages that `words` (a source's lower-case
    tokens) name, one to three words."""
    table, firsts = exonyms(), _exonym_firsts()
    keys = set(words) & table.keys()
    # two- and three-word names are looked up only from a word that starts one ("amerika serikat")
    for i in [i for i, word in enumerate(words) if word in firsts]:
        keys.update(" ".join(words[i:i + size]) for size in (2, 3) if i + size <= len(words))
    return {n.lower() for key in keys for n in table.get(key, ())}


@lru_cache(maxsize=1)
def _exonym_firsts() -> frozenset[str]:
    """The first words of the exonym table's names of more than one word."""
    return frozenset(name.split(" ")[0] for name in exonyms() if " " in name)


def _opens_quote(text: str, at: int) -> bool:
    """The word at `at` opens a quotation (`he said, "Well, ...`): a quoted sentence's first word, capitalised
    for that alone. An opening quote sits right before the word, after a space or the text's start."""
    return at >= 1 and text[at - 1] in "\"“'‘" and (at == 1 or text[at - 2].isspace() or text[at - 2] in "([")


# A post quoted in the news opens after its handles and tags ("RT @mlq3 @jeyaiy All I know ..."):
# its first word is capitalised as a sentence's is.
_AFTER_HANDLE = re.compile(r"(?:^|\s)[@#]\w+$")


def _mid_sentence(translation: str, at: int) -> bool:
    if _opens_quote(translation, at):
        return False
    before = translation[:at].rstrip(" \"'“”‘’()[]*")
    return bool(before) and before[-1] not in ".!?:;—–-•\n" and not _AFTER_HANDLE.search(before)


_TITLE_JOINS = frozenset({" of ", " for ", " on ", " of the ", " for the "})
_LIST_JOINS = frozenset({" and ", " & "})  # within a title only: "Indonesia and Brown" are two names


def _capitalised_runs(translation: str) -> list[tuple[list[re.Match[str]], bool]]:
    """The translation's capitalised tokens, grouped into runs of words separated by single spaces,
    each with whether it is a title phrase joined by "of" (then "and": "Minister of Communication and
    Digital Affairs")."""
    runs: list[tuple[list[re.Match[str]], bool]] = []
    for match in capitalised_tokens(translation):
        gap = translation[runs[-1][0][-1].end():match.start()] if runs else ""
        if runs and gap == " ":
            runs[-1][0].append(match)
        elif runs and (gap in _TITLE_JOINS or (runs[-1][1] and gap in _LIST_JOINS)):
            runs[-1] = (runs[-1][0] + [match], True)
        else:
            runs.append(([match], False))
    return runs


def _heading_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the title-cased lines of `text` ("Capital Spending on Top of Employees' Tears")."""
    out, at = [], 0
    for line in text.split("\n"):
        if line.strip() and _is_heading(line, _TOKEN.findall(line)):
            out.append((at, at + len(line)))
        at += len(line) + 1
    return out


def _new_proper_names(source: str, translation: str, source_exonyms: set[str]) -> list[tuple[str, float]]:
    """(word, relative position) of the capitalised words of the translation that are not in the source
    nor an English name of a place it names.

    English words (Webster's 2nd) are names only where their capital says so: alone mid-sentence
    ("Brown", "Jordan", "Dawn"). A sentence's first word ("Asked", "She"), a title of English words
    ("Foreign Ministry") and the words around a name the source has ("Premier League", "Atlantic
    Ocean", "United States") are not new names."""
    lowered_source = source.lower()
    source_exonym_words = {w for name in source_exonyms for w in name.split()}
    exonym_text = " ".join(sorted(source_exonyms))  # "Canadian" is the adjective of "Kanada"'s "Canada"
    english = _english_words()
    # a word the translation also writes in lower case is a common word at a sentence start ("The",
    # "She", "Let"), wherever the corpus lost the full stop before it
    lower_words = set(_LOWER_WORD.findall(translation))
    headings = _heading_lines(translation)
    out = []
    for run, titled in _capitalised_runs(translation):
        titled = titled or any(start <= run[0].start() < end for start, end in headings)
        known, english_word, candidates = False, [], []
        for match in run:
            word = re.sub(r"(?:'s|’s)$", "", match.group().strip("'’-"))
            lowered_word = word.lower()
            # inflected forms are the same word: "Asked", "Creating", "Muslims"
            forms = {lowered_word, lowered_word.removesuffix("s"), lowered_word.removesuffix("es"), lowered_word.removesuffix("d"),
                     lowered_word.removesuffix("ed"), lowered_word.removesuffix("ing"), lowered_word.removesuffix("ing") + "e"}
            forms |= {part for form in tuple(forms) for part in form.split("-")}
            if (any(form in lowered_source for form in forms if len(form) >= 3) or _near_spelling(word, lowered_source, source)
                    or forms & source_exonyms or forms & source_exonym_words or _near_spelling(word, exonym_text)):
                known = True
                continue
            if len(word) < 3 or "'" in word or "’" in word or word.isupper():
                continue
            parts = lowered_word.split("-")
            if all(p in day_names() or p in month_numbers() for p in parts) or lowered_word in lower_words:
                continue  # "Monday", "May-June"; a word also written in lower case
            is_english = all(part in english for part in lowered_word.split("-")) or any(form in english for form in forms)
            english_word.append(is_english)
            candidates.append((word, match, is_english))
        for word, match, is_english in candidates:
            if is_english and (known or titled or not _mid_sentence(translation, run[0].start())):
                continue
            out.append((word, match.start() / max(1, len(translation))))
    return out


def _beside_kept(words: list[str], missing: list[str], source: str, translation: str) -> str | None:
    """The capitalised word standing, in the translation, where the missing part of a partly kept name
    was: "Luis Suarez" -> "Luis Silva", "Lady Thatcher" -> "Lady Pakistan". Its place beside the kept part
    is the evidence, so it counts whatever dictionary lists it; a word of the source does not count,
    nor one inside a longer capitalised run ("TMC West Java", "Major General Hudawi")."""
    lowered_source = source.lower()
    lower_words = set(_LOWER_WORD.findall(translation))
    for index, word in enumerate(words):
        if word in missing:
            continue
        for side in (1, -1):
            if not (0 <= index + side < len(words)) or words[index + side] not in missing:
                continue
            # the replacement ends the run as the missing part did: "West" in "TMC West Java" is a title's word
            beside = (rf"(?<![\w'-]){re.escape(word)}\s([A-Z][\w'’-]+)(?![\w'’-]|\s[A-Z])" if side == 1
                      else rf"(?<![\w'-])([A-Z][\w'’-]+)\s{re.escape(word)}(?![\w'-])")
            for match in re.finditer(beside, translation):
                if side == -1 and _CAPITALISED_BEFORE.search(translation, 0, match.start()):
                    continue
                candidate = re.sub(r"(?:'s|’s)$", "", match.group(1))
                lowered_candidate = candidate.lower()
                if _spelled_alike(words[index + side], frozenset({_fold(candidate)})):
                    continue  # the missing part spelled another way ("Arsène" for "Arsene")
                if (len(candidate) >= 3 and lowered_candidate not in lowered_source and lowered_candidate not in lower_words
                        and lowered_candidate not in day_names() and lowered_candidate not in month_numbers()):
                    return candidate
    return None


def check_names(source: str, translation: str, facts: Iterable[tuple[int, int]] = ()) -> list[Finding]:
    plain = _fold(translation)  # a name is kept with or without its accents ("Arsène" for "Arsene")
    lowered = plain.lower()
    findings: list[Finding] = []
    seen: set[str] = set()
    new_names: list[tuple[str, float]] | None = None  # computed when a name is first missing
    source_words = _SourceWords(source)
    translation_tokens: frozenset[str] | None = None
    candidates = name_candidates(source, facts)
    for name, start in word_names(source, {name.lower() for name, _start, _end in candidates}):
        if _rendered(name, plain, lowered, source_words):
            continue
        if translation_tokens is None:
            translation_tokens = _free_tokens(source_words, translation)
        if _spelled_alike(name, translation_tokens, cognate=True):
            continue
        if new_names is None:
            new_names = _new_proper_names(source, translation, source_words.exonyms)
        # a dictionary word may be rightly translated ("Natal" -> "Christmas", "Yahudi" -> "Jews"); a
        # word in no English dictionary, in any case, close to where it was is a name in its place
        # ("Setiawan" -> "Kettlewell")
        where = start / max(1, len(source))
        nearby = [n for n in new_names if abs(n[1] - where) <= _WORD_NAME_WINDOW and len(n[0]) >= 4 and not _in_dictionary(n[0])]
        if nearby:
            replacement = min(nearby, key=lambda n: abs(n[1] - where))
            new_names.remove(replacement)
            findings.append(finding("name_changed", f"name '{name}' is not in the translation; it has '{replacement[0]}' instead",
                                    source_span=name, output_span=replacement[0]))
        else:
            findings.append(finding("name_missing", f"name '{name}' is not in the translation", source_span=name))
    for name, start, _end in candidates:
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        if _rendered(name, plain, lowered, source_words) or _phrase_rendered(source, start, name, plain, lowered):
            continue
        words = name.split()
        missing = [w for w in words if not _rendered(w, plain, lowered, source_words)]
        if not missing or (len(words) >= 3 and len(missing) == 1 and (is_indonesian_word(missing[0]) or missing[0] == words[0])):
            continue  # one Indonesian word of a long name, or the title before one ("Wamenkomdigi Nezar Patria")
        label = " ".join(missing)
        if translation_tokens is None:
            translation_tokens = _free_tokens(source_words, translation)
        if all(_spelled_alike(w, translation_tokens) for w in missing):
            continue  # "Praha"/"Prague", "Skotlandia"/"Scotland", "Muchtar"/"Mochtar": one name, two spellings
        if new_names is None:
            new_names = _new_proper_names(source, translation, source_words.exonyms)
        where = start / max(1, len(source))
        # a sentence's first word may be capitalised for that alone ("Nah", "Mari"): missing at most
        # and a name's dictionary words alone ("Air" of "Wings Air", "Kuala Lumpur") may have been translated
        weak = label.isupper() or (" " not in name and not _mid_sentence(source, start)) or all(
            is_indonesian_word(w) and w.lower() not in place_names() for w in missing)
        nearby = [n for n in new_names if abs(n[1] - where) <= _NAME_WINDOW] if not weak else []
        replacement = _beside_kept(words, missing, source, translation) if len(missing) < len(words) else None
        if nearby and replacement is None:
            replacement = min(nearby, key=lambda n: abs(n[1] - where))
            new_names.remove(replacement)
            replacement = replacement[0]
        if replacement is not None:
            findings.append(finding("name_changed", f"name '{label}' (in '{name}') is not in the translation; it has '{replacement}' instead",
                                    source_span=name, output_span=replacement))
        else:
            findings.append(finding("name_missing", f"name '{label}' (in '{name}') is not in the translation", source_span=name))
    return findings
