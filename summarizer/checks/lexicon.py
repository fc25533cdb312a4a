"""Word lists the checks take from packages, not from hand-written tables: loaded once, on first use.

    month_numbers()        month names and abbreviations, Indonesian and English (Babel/CLDR) -> 1..12
    day_names()            weekday names, both languages (Babel/CLDR)
    place_names()          country/territory names (CLDR) and IANA zone cities, lower case
    exonyms()              Indonesian place/language name -> its English names (CLDR territories,
                           languages and exemplar cities through Babel, plus `renderings.toml`)
    is_root_word(w)        `w` is itself a KBBI root word
    is_indonesian_word(w)  `w` is an Indonesian common word: in Sastrawi's root-word dictionary
                           (29,932 words of KBBI, MIT licence; whole words
                           also from its original list of 30,342), itself or once its affixes are stripped

Why these: Babel is the CLDR data every locale-aware Python tool uses, so "Tiongkok" -> "China" and
"Agustus" -> 8 come from the same source as number formats. Sastrawi ships the KBBI root words with a
stemmer, which tells "Kementerian" (menteri) or "Bencana" from "Jokowi" without a list of our own;
wordfreq's Indonesian list was the alternative, but it ranks frequent names (Jakarta, Jokowi) as common
words, which is exactly what must not happen here.
"""

from __future__ import annotations

from functools import lru_cache



@lru_cache(maxsize=1)
def renderings() -> dict[str, dict]:
    """The hand-kept entries CLDR lacks (`renderings.toml`): exonyms, religious names and feasts, month
    spellings, acronyms."""
    import tomllib
    from importlib.resources import files

    return tomllib.loads(files("summarizer.checks").joinpath("renderings.toml").read_text(encoding="utf-8"))


def translatable_acronyms() -> dict[str, tuple[str, ...]]:
    """Indonesian acronym -> English renderings a translation may use instead of it."""
    return {acronym: tuple(values) for acronym, values in renderings()["acronyms"].items()}


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, int]:
    from babel import Locale

    names: dict[str, int] = dict(renderings()["months"])
    for code in ("id", "en"):
        months = Locale.parse(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months.get(context, {}).get(width, {}).items():
                    names[name.lower().rstrip(".")] = int(number)
    return names


@lru_cache(maxsize=1)
def day_names() -> frozenset[str]:
    from babel import Locale

    names = set()
    for code in ("id", "en"):
        days = Locale.parse(code).days["format"]
        for width in ("wide", "abbreviated"):
            names.update(name.lower().rstrip(".") for name in days[width].values())
    return frozenset(names | {"jum'at"})


# the IANA areas whose zones are named after cities (not "US/Eastern", "Canada/Central", "Etc/GMT+7")
_CONTINENTS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")


@lru_cache(maxsize=1)
def exonyms() -> dict[str, frozenset[str]]:
    from babel import Locale

    indonesian, english = Locale.parse("id"), Locale.parse("en")
    table: dict[str, set[str]] = {}

    def add(name_id: str | None, *names_en: str | None) -> None:
        if name_id:
            table.setdefault(name_id.lower(), set()).update(n for n in names_en if n)

    for code, name in indonesian.territories.items():
        add(name, english.territories.get(code))
    for code, name in indonesian.languages.items():
        add(name, english.languages.get(code))
        add(f"bahasa {name}", english.languages.get(code))
    english_zones = english.time_zones
    for zone, names in indonesian.time_zones.items():
        # English has no exemplar city where it is the zone's own name ("Europe/Vienna")
        add(names.get("city"), english_zones.get(zone, {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " "))
    for city in _zone_cities():
        # the IANA zone cities whose name is the same in both languages ("Paris", "Jakarta") are
        # place names too, whatever KBBI lists ("paris" is also a plant there)
        if city.lower() not in table:
            add(city, city)
    for name_id, names_en in (renderings()["exonyms"] | renderings()["religious"]).items():
        add(name_id, *names_en)
    return {key: frozenset(values) for key, values in table.items()}


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Indonesian names of countries and territories (CLDR) and the IANA zone cities, lower case:
    names even where KBBI lists the word ("indonesia", "kenya", "paris")."""
    from babel import Locale

    names = {name.lower() for name in Locale.parse("id").territories.values()}
    names |= {city.lower() for city in _zone_cities()}
    return frozenset(names)


@lru_cache(maxsize=1)
def _zone_cities() -> tuple[str, ...]:
    """The cities the IANA zones of the continents are named after ("Paris", "Kuala Lumpur"), sorted."""
    from zoneinfo import available_timezones

    return tuple(sorted({zone.rsplit("/", 1)[-1].replace("_", " ") for zone in available_timezones() if zone.startswith(_CONTINENTS)}))


@lru_cache(maxsize=1)
def _root_words() -> frozenset[str]:
    from importlib.resources import files

    data = files("Sastrawi.Stemmer").joinpath("data", "kata-dasar.txt").read_text(encoding="utf-8")
    return frozenset(data.split())  # split() drops the whitespace and the empty words


@lru_cache(maxsize=1)
def _whole_words() -> frozenset[str]:
    """kata-dasar.original.txt, the KBBI list the stemmer's was cut from: it adds the interjections and
    titles ("nah", "pak") and the -wan nouns ("ilmuwan", "wartawan"). Whole words only: its fragments
    ("sura", "ab") would make names of two roots ("Surabaya") words."""
    from importlib.resources import files

    data = files("Sastrawi.Stemmer").joinpath("data", "kata-dasar.original.txt").read_text(encoding="utf-8")
    return frozenset(data.split()) | _root_words()


# Affixes, most specific first ("pra-" is "pre-": "prasejarah", "Prapaskah"). A nasal prefix replaced the root's first letter: "memukul" = mem+pukul,
# "menulis" = men+tulis, "mengirim" = meng+kirim, "menyapu" = meny+sapu.
_PREFIXES = (
    ("meny", "s"), ("meng", "k"), ("meng", ""), ("mem", "p"), ("mem", ""), ("men", "t"), ("men", ""), ("me", ""),
    ("peny", "s"), ("peng", "k"), ("peng", ""), ("pem", "p"), ("pem", ""), ("pen", "t"), ("pen", ""),
    ("per", ""), ("pel", ""), ("pe", ""), ("ber", ""), ("bel", ""), ("be", ""), ("ter", ""), ("di", ""), ("ke", ""), ("se", ""), ("pra", ""), ("", ""),
)
_SUFFIXES = ("nya", "kan", "an", "i", "lah", "kah", "pun", "")


def _roots_of(word: str):
    for root, _prefix, _suffix in _readings(word):
        yield root


def _readings(word: str):
    """(root, prefix, suffix) for each way the affix rules strip `word`."""
    for suffix in _SUFFIXES:
        if suffix and not word.endswith(suffix):
            continue
        stem = word[: len(word) - len(suffix)] if suffix else word
        for prefix, restored in _PREFIXES:
            if prefix and not stem.startswith(prefix):
                continue
            yield restored + stem[len(prefix):], prefix, suffix


# A root of three letters is a word's only through a sure derivation: the clitics ("Itulah", "Apapun"),
# "ke-"/"se-" ("Kedua"), a nasal prefix ("menguji") or a prefix with a suffix ("pengujian", "disahkan").
# One plain affix on three letters is how a name reads: "Milan" is no mil+an, "Wigan" no wig+an,
# "Berlin" no ber+lin, "Diego" no di+ego.
_SHORT_ROOT = 3
_CLITICS = frozenset({"", "lah", "kah", "pun", "nya"})
_SURE_PREFIXES = frozenset({"ke", "se", "meng", "meny", "mem", "men", "peng", "peny", "pem", "pen"})


def _sure_derivation(root: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> bool:
    if len(root) > _SHORT_ROOT:
        return True
    prefix = next((p for p in prefixes if p), "")
    deriving = [x for x in suffixes if x not in _CLITICS]
    if not prefix and not deriving:
        return True
    return prefix in _SURE_PREFIXES or bool(prefix and deriving)


def is_root_word(word: str) -> bool:
    """`word` is itself one of KBBI's root words, no affix stripped ("budiman" yes, "pemerintah" no)."""
    return word.lower() in _whole_words()


@lru_cache(maxsize=8192)
def is_indonesian_word(word: str) -> bool:
    """A common Indonesian word (capitalised or not): "Bencana", "Kementerian", "Perang" yes; "Jokowi" no.

    Affixes are stripped by the few rules above rather than by Sastrawi's stemmer: that stemmer tries
    dozens of regular-expression rules per word (~3 ms a word, 0.75 s with its list-backed dictionary),
    and a name check only needs to know whether some reading of the word is a root."""
    lowered = word.lower()
    if lowered in _whole_words():
        return True
    roots = _root_words()
    if len(lowered) < 5:
        return False  # affix rules over-strip short names ("Bali" -> "bal")
    if any(lowered[:i] in roots and lowered[i:] in roots for i in range(4, len(lowered) - 3)):
        return True  # two roots written as one word: "Walikota" (wali kota)
    for root, prefix, suffix in _readings(lowered):
        if len(root) < 3:
            continue
        if root in roots and _sure_derivation(root, (prefix,), (suffix,)):
            return True
        for inner, inner_prefix, inner_suffix in _readings(root):
            if inner in roots and _sure_derivation(inner, (prefix, inner_prefix), (suffix, inner_suffix)):
                return True
    return False
