"""summarizer.checks accuracy rules (issue 13, second pass): each rule as a pair, a correct translation
that raises no error and the same translation with the fact changed that does. The pairs are the
shapes of the false alarms and missed changes measured on the id-en news corpus, in sentences of our own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.checks import check_translation


def errors(source: str, translation: str) -> list[str]:
    return [f.kind for f in check_translation(source, translation) if f.severity == "error"]


def name_findings(source: str, translation: str) -> list[tuple[str, str]]:
    return [(f.kind, f.severity) for f in check_translation(source, translation) if f.kind.startswith("name")]


def assert_kept_and_each_loss_found(source: str, kept: str, *names: str, instead: str = "the official") -> None:
    """`kept` keeps the source's names (no name finding); with any one of `names` put `instead`, one is found."""
    assert name_findings(source, kept) == []
    for name in names:
        assert name_findings(source, kept.replace(name, instead)) != [], name


# source, correct translation, the translation with one fact changed
FACT_PAIRS = [
    # the best match first: "Buku 3" takes "Book 3", "tiga bulan" keeps "three months"
    ("Buku 3 adalah bank kecil. Modalnya habis dalam tiga bulan.",
     "Book 3 is small banks. Its capital ran out in three months.",
     "Book 8 is small banks. Its capital ran out in three months."),
    # of two equal numbers, the one whose place changed is the one left over
    ("Ia ragu antara dua karir. Anda perlu tahu 2 hal tentang saya.",
     "He hesitated between two careers. You need to know 2 things about me.",
     "He hesitated between two careers. You need to know fourteen things about me."),
    # race times: every digit counts
    ("Valentino Rossi (Ita) Yamaha 1:47.872", "Valentino Rossi (Ita) Yamaha 1:47.872", "Valentino Rossi (Ita) Yamaha 1:47.822"),
    # ... also when the English side has a space after the colon, as MT writes them
    ("Marc Marquez (Spanyol) Honda 1:43.443 21.", "Marc Marquez (Spain) Honda 1: 43.443 21.",
     "Marc Marquez (Spain) Honda 1: 43.448 21."),
    # clock times in English news conventions: an agency's four digits before a zone, a number word
    # before "o'clock", and an hour above 12 whatever "a.m." follows it
    ("Insiden itu terjadi setelah pukul 21.00 waktu setempat.", "The incident took place after 2100 local time.",
     "The incident took place after 2300 local time."),
    ("Dia meninggal pada pukul 23:00.", "He died at eleven o'clock.", "He died at ten o'clock."),
    ("Pesawat mendarat pukul 16:21 waktu Moskow.", "The plane landed at 16:21 a.m. Moscow time.",
     "The plane landed at 18:21 a.m. Moscow time."),
    # a price whose thousands group a space split off ("Rp6, 500"): one number on either side
    ("Beras dijual seharga Rp9, 500 per kilo, gula Rp12, 000 per kilo.",
     "Rice sells for Rp9,500 per kilo, sugar for Rp12,000 per kilo.",
     "Rice sells for Rp9,500 per kilo, sugar for Rp12,500 per kilo."),
    ("Beras dijual seharga Rp9.500 per kilo.", "Rice sells for Rp9, 500 per kilo.", "Rice sells for Rp9, 900 per kilo."),
    # scores with spaced dashes: each set is one fact, so sets mixed up with the same digits are caught
    ("Nadal kalahkan Federer 7 — 5, 6 — 4.", "Nadal beat Federer 7 — 5, 6 — 4.", "Nadal beat Federer 7 — 4, 6 — 5."),
    # a date's day is a fact: "October 98" is no date, and "October" alone is not the date
    ("Ia ditangkap 18 Oktober 2013 lalu.", "He was arrested on October 18, 2013.", "He was arrested on October 98, 2013."),
    # date ranges across months and with "to"
    ("Survei dilakukan pada 17 Agustus-20 September 2013.", "The survey was conducted on 17 August to 20 September 2013.",
     "The survey was conducted on 17 August to 20 October 2013."),
    ("Wawancara dilakukan pada 9-16 April 2013.", "The interviews took place on 9 to 16 April 2013.",
     "The interviews took place on 9 to 18 April 2013."),
    # units and scales glued to the number
    ("Jack Wilshere (menit 69): Man Utd menang.", "Jack Wilshere (69mins): Man Utd won.", "Jack Wilshere (59mins): Man Utd won."),
    ("Jumlahnya 15 juta lebih dari penduduk Inggris.", "That is 15m more than the population of England.",
     "That is 16m more than the population of England."),
    ("Pengguna mobile mencapai 100 juta.", "Mobile users reach 100 millions.", "Mobile users reach 100 billions."),
    # a number after a hyphenated word
    ("Sebuah gempa berkekuatan 8,2 melanda.", "A magnitude-8.2 earthquake struck.", "A magnitude-8.7 earthquake struck."),
    ("Penumpang dapat mencapai 200 ribu- 300 ribu orang per hari.", "Passengers can reach 200 thousand-300 thousand people per day.",
     "Passengers can reach 200 thousand-800 thousand people per day."),
    # Indonesian number words hyphenated or written together
    ("Sembilan-puluh lima persen orang setuju.", "Ninety-five percent of people agree.", "Eighty-five percent of people agree."),
    ("Duapuluh-empat jam yang lalu ia di Irak.", "Twenty-four hours ago he was in Iraq.", "Twenty-two hours ago he was in Iraq."),
    # a season's two years
    ("Liputan khusus Protes di Suriah 2011/12.", "Special coverage of the Syria Protests 2011/12.", "Special coverage of the Syria Protests 2011/13."),
    # a scale word the source misspells ("jtua", "trilliun", no Indonesian word) reads as either
    ("Ia dibeli seharga 5,5 jtua poundsterling.", "He was bought for £5.5m.", "He was bought for £6.5m."),
    ("Kita memakai 12 trilliun watt.", "We use 12 trillion watts.", "We use 12 billion watts."),
    # a fraction "of" a number is their product, and English says it with or without "of"
    ("Setengah dari satu juta warga mengungsi.", "Half a million residents fled.", "A quarter of a million residents fled."),
    ("Seperempat juta warga mengungsi.", "A quarter of a million residents fled.", "Half a million residents fled."),
    # a run of number words that is not one number is its numbers, each a fact ("five and eight hours",
    # "the first two weeks", "salah satu tujuh"): the whole run was dropped, and a changed one missed
    ("Lebah tidur antara lima dan delapan jam sehari.", "Bees sleep between five and eight hours a day.",
     "Bees sleep between five and four hours a day."),
    ("Ia mendapat 200 poin dalam dua minggu pertama.", "He got 200 points in the first two weeks.",
     "He got 200 points in the first seventeen weeks."),
    ("Indonesia bukan salah satu tujuh negara itu.", "Indonesia is not one of the seven countries.",
     "Indonesia is not one of the nineteen countries."),
    # a count of a unit is no ordinal: "dua tahun" did not become the "second" of "a second official"
    ("Serangan terjadi selama dua tahun terakhir, kata seorang pejabat lain.",
     "The attacks happened over the past two years, a second official said.",
     "The attacks happened over the past two months, a second official said."),
    # ... but an anniversary's ordinal counts years
    ("Ini peringatan 200 tahun kota itu.", "It is the 200th anniversary of the city.", "It is the 201st anniversary of the city."),
    # an ordinal at a clause's end ("ke-19,"): only a separator before another digit makes it a decimal
    ("Gedung itu dibangun pada abad ke-19, kata pemandu.", "The building was built in the 19th century, the guide said.",
     "The building was built in the 18th century, the guide said."),
    # puluh and ratus multiply the digit before them, not the hundreds already read (250 was read as 2,050)
    ("Seratus enam puluh lima anak hadir.", "One hundred sixty-five children attended.", "One hundred sixty-four children attended."),
    ("Dua ratus lima puluh rumah rusak.", "Two hundred and fifty houses were damaged.", "Two hundred and fifteen houses were damaged."),
    # Indonesian degree codes named in English
    ("Lima tahun lalu, saya mahasiswa S3 di sana.", "Five years ago, I was a Ph.D. student there.",
     "Five years ago, I was a master's student there."),
]


@pytest.mark.parametrize("source, correct, changed", FACT_PAIRS)
def test_fact_rule_pair(source, correct, changed):
    assert errors(source, correct) == []
    assert errors(source, changed) != []


def test_a_word_one_letter_off_a_scale_word_is_no_scale_when_it_is_a_word():
    assert "number_missing" in errors("Ada 5 ribut di sana.", "There were 5 thousand there.")


def test_a_number_word_with_a_unit_is_not_replaced_by_a_year():
    source = "Protes 2011 berlangsung dua minggu."
    assert errors(source, "The 2011/12 protests lasted a fortnight.") == []
    assert "unit_changed" in errors(source, "The 2011 protests lasted two months.")


def test_a_month_glued_to_a_day_is_a_date_not_a_code():
    kinds = [f.kind for f in check_translation("Survei dilakukan pada 17 Agustus-20 September 2013.",
                                               "The survey was conducted in autumn 2013.")]
    assert "code_missing" not in kinds and "date_changed" in kinds


# -- names ---------------------------------------------------------------------------------------

NAME_SWAPS = [
    # a city KBBI also lists as a word is a name
    ("Unjuk rasa di Paris, Prancis, kemarin.", "Protests in Paris, France, yesterday.", "Protests in Toulouse, France, yesterday."),
    # an English word alone mid-sentence, capitalised, is a name in its place
    ("Gol itu dicetak oleh Winkelmann pada menit akhir.", "The goal was scored by Winkelmann in the final minute.",
     "The goal was scored by Brown in the final minute."),
    # "and" joins two names, not a title: "Brown" is new beside the kept "Indonesia"
    ("Pertanian penting bagi Indonesia dan Malaysia, kata dia.", "Agriculture matters to Indonesia and Malaysia, he said.",
     "Agriculture matters to Indonesia and Brown, he said."),
    # a new name is not "in the source" for sharing letters with a common word there ("masa")
    ("Pada masa itu saya menulis di Facebook setiap hari.", "At that time I wrote on Facebook every day.",
     "At that time I wrote on Masako every day."),
    # a name inside a long run of names
    ("Mobil diresmikan oleh CEO Lamborghini Stephen Winkelmann di Italia.",
     "The car was unveiled by Lamborghini CEO Stephen Winkelmann in Italy.",
     "The car was unveiled by Ferrari CEO Stephen Winkelmann in Italy."),
]


@pytest.mark.parametrize("source, correct, changed", NAME_SWAPS)
def test_name_swap_pair(source, correct, changed):
    assert name_findings(source, correct) == []
    assert ("name_changed", "error") in name_findings(source, changed)


NAME_DROPS = [
    # a title-cased line of names still has names
    ("Oprah Winfrey, Celine Dion, Steven Spielberg (Bombardier Global Express XRS)",
     "Oprah Winfrey, Celine Dion, Steven Spielberg Model: Bombardier Global Express XRS",
     "Oprah the official, Celine Dion, Steven Spielberg Model: Bombardier Global Express XRS"),
    # a near spelling must be capitalised: "Thatcher" is not "that"
    ("Lady Thatcher meninggal kemarin di London.", "Lady Thatcher died yesterday in London.",
     "Lady the official died yesterday in London, that is all."),
    # a name that is also an Indonesian root word, alone mid-sentence
    ("Gelar itu diraih oleh Budiman tahun lalu.", "The title was won by Budiman last year.", "The title was won by the official last year."),
    # a word of the translation that renders another source word is no other spelling of a missing name
    ("Ia mencetak gol untuk Real Madrid pekan ini, menyamai Raul dengan dua gol.",
     "He scored for Real Madrid this week, equalling Raul with two goals.",
     "He scored for Real Madrid this week, equalling the official with two goals."),
    ("Pemain Tiongkok itu menghormati Chelsea ketika mereka kalah.", "The Chinese player respected Chelsea when they lost.",
     "The Chinese player respected the official when they lost."),
    ('"Selamat kepada Andy," katanya.', '"Congratulations to Andy," he said. And he left.', '"Congratulations to the official," he said. And he left.'),
    # the English month of the source's month renders that month, not a name spelled a little like it
    ("Lagu itu dinyanyikan oleh Mirah pada 28 Maret.", "The song was sung by Mirah on 28 March.",
     "The song was sung by the official on 28 March."),
    # a word sharing a missing name's first letters is no spelling of it when it is another source word
    ("Morigami kini peringkat 51, Nakamura 81 dan Morita 99.", "Morigami is now ranked 51, Nakamura 81 and Morita 99.",
     "Morigami is now ranked 51, Nakamura 81 and the official 99."),
    # a name glued to the word before it by a lost space is still there, so the name's other word is missed alone
    ("Nadal kalahkan Roger Federer kemarin.", "Nadal beatRoger Federer yesterday.", "Nadal beatRoger the official yesterday."),
    # a dictionary word between names of a list is a name, four letters or more
    ("Polisi menahan tiga orang, yakni Ahmad, Arya, dan Juard.", "Police detained three people, namely Ahmad, Arya, and Juard.",
     "Police detained three people, namely Ahmad, the official, and Juard."),
    ("Yang dihukum adalah Suryadi, Jurit dan Ibrahim.", "Those sentenced were Suryadi, Jurit and Ibrahim.",
     "Those sentenced were Suryadi, the official and Ibrahim."),
    # an Indonesian biblical name is kept as its English form, and lost when that is gone too
    ("Ini adalah Matius Anderson dan Tariq Al-Daour.", "This is Matthew Anderson and Tariq Al-Daour.",
     "This is the official Anderson and Tariq Al-Daour."),
    # after a sentence's first word that is a stop word, a capital is a name's
    ("Di Venus, suhu sangat tinggi.", "On Venus, temperatures are very high.", "On the official, temperatures are very high."),
    # one plain affix on a three-letter root is no derivation: "Milan" is no mil+an
    ("Kaka kunci kemenangan Milan musim lalu.", "Kaka was the key to Milan's win last season.",
     "Kaka was the key to the official's win last season."),
    # a four-letter dictionary word capitalised after a lower-case word
    ("Laman itu paling banyak diikuti di dunia Arab.", "The page is the most followed in the Arab world.",
     "The page is the most followed in the the official world."),
    # a shared loan before another capital: kept by a translation, so a name's when it is missing
    ("Ambil contoh striker Arsenal Alexis Sanchez, misalnya.", "Take Arsenal's Alexis Sanchez, for example.",
     "Take the official's Alexis Sanchez, for example."),
]


@pytest.mark.parametrize("source, correct, changed", NAME_DROPS)
def test_name_drop_pair(source, correct, changed):
    assert name_findings(source, correct) == []
    assert name_findings(source, changed) != []


@pytest.mark.parametrize(
    "source, translation",
    [
        # a title before a name, spelled out in English: its words are no new names
        ("Wamenkomdigi Nezar Patria mengingatkan hal itu kemarin.",
         "Deputy Minister of Communication and Digital Affairs Nezar Patria gave that warning yesterday."),
        # one name written as two words
        ("Sementara Prof Sarlan Abdulrachman tampil sebagai moderator.", "While Prof Sarlan Abdul Rahman was the moderator."),
        # a month range is no acronym, and "May-June" no new name
        ("Panen berlangsung pada Mei-Juni di desa itu, kata Winkelmann.", "The harvest ran in May-June in the village, Winkelmann said."),
        # an exonym CLDR lacks
        ("Ia pindah ke Belanda tahun lalu, kata Winkelmann.", "He moved to Holland last year, Winkelmann said."),
        # a dictionary-word name rendered as its English cognate
        ("Ia pemeluk Kristen sejak kecil, kata ibunya.", "He has been a Christian since childhood, his mother said."),
        # "pra-" (before) prefixes a root word: "Prapaskah" is the season before Easter, translated, no name
        ("Acara itu digelar sepekan menjelang Prapaskah setiap tahun.", "The event is held a week before Lent every year."),
        # a capital after a name and a comma opens what is said to that person, not a list of names
        ("Eric, Terima kasih banyak atas waktunya.", "Eric, thank you very much for your time."),
        # biblical names and religious feasts in their Indonesian forms, rendered in English
        ("Ini adalah Matius Anderson dan Tariq Al-Daour.", "This is Matthew Anderson and Tariq Al-Daour."),
        ("Acara ini terjadi menjelang Prapaskah, 40 hari sebelum Paskah.", "The event takes place before Lent, the 40 days before Easter."),
        ("Paus Fransiskus merayakan Natal di Vatikan.", "Pope Francis celebrated Christmas in the Vatican."),
        # three-letter roots through a sure derivation are words: "ke-" + "dua", "peng-" + "uji" + "-an"
        ("Kedua tim bermain imbang, kata Winkelmann.", "Both teams drew, Winkelmann said."),
        ("Winkelmann memimpin Pengujian Mutu itu.", "Winkelmann led the Quality Testing."),
        # a stop word capitalised after a lower-case word opens a sentence whose full stop was lost
        ("Harga naik tajam Tapi kami tetap membeli, kata Winkelmann.", "Prices rose sharply But we kept buying, Winkelmann said."),
        # a short word of both dictionaries before a capital is a chance likeness, translated: "raja" is a king
        ("Winkelmann bertemu dengan Raja Salman kemarin.", "Winkelmann met King Salman yesterday."),
    ],
)
def test_names_rendered_another_way_are_no_error(source, translation):
    assert [kind for kind, severity in name_findings(source, translation) if severity == "error"] == []
    assert name_findings(source, translation) == []


# the first word of a quotation is capitalised for that alone ("Yah" -> "Well"), and Sastrawi's original
# KBBI list knows the interjections and -wan nouns its stemmer list dropped ("Nah", "Ilmuwan"); a name
# elsewhere in the sentence is still a name
COMMON_WORD_PAIRS = [
    ('Dia berkata, "Yah, Anda dapat membayar Winkelmann sekarang."', 'He said, "Well, you can pay Winkelmann now."',
     'He said, "Well, you can pay Kettlewell now."'),
    ("Harga tiket $7,496 Nah, apa kita menganggap Winkelmann lebih agresif?",
     "The ticket costs $7,496 Now, do we think Winkelmann is more aggressive?",
     "The ticket costs $7,496 Now, do we think Kettlewell is more aggressive?"),
    ("(Video) Ilmuwan lain dengan ide besar adalah Winkelmann dari Jerman.", "(Video) Scientist: another with big ideas is Winkelmann of Germany.",
     "(Video) Scientist: another with big ideas is Kettlewell of Germany."),
    # a post quoted in the news opens after its handles and tags: its first word is no new name
    ("Cuitnya: RT @dewi Akusudah tahu kabar dari Candaba.", "Her tweet: RT @dewi Already I know the news from Candaba.",
     "Her tweet: RT @dewi Already I know the news from Kettlewell."),
    ("Tulisnya di Twitter: @dewi #pemilu Akusudah memilih di Candaba.", "She wrote on Twitter: @dewi #election Already I have voted in Candaba.",
     "She wrote on Twitter: @dewi #election Already I have voted in Kettlewell."),
]


@pytest.mark.parametrize("source, correct, changed", COMMON_WORD_PAIRS)
def test_common_words_opening_a_sentence_are_no_names(source, correct, changed):
    assert [kind for kind, severity in name_findings(source, correct) if severity == "error"] == []
    assert ("name_changed", "error") in name_findings(source, changed)


# a partly kept name: the word beside the kept part stands where the missing part was, whatever
# dictionary lists it ("Silva", "China" are English words too); inside a longer run it is a title's word
PARTIAL_NAME_PAIRS = [
    ("Luis Suarez telah melatih tim itu sejak lama.", "Luis Suarez has coached the team for a long time.",
     "Luis Silva has coached the team for a long time."),
    ("Pelatih Fabio Capello memuji timnya kemarin.", "Coach Fabio Capello praised his team yesterday.",
     "Coach Fabio China praised his team yesterday."),
]


@pytest.mark.parametrize("source, correct, changed", PARTIAL_NAME_PAIRS)
def test_a_word_beside_the_kept_part_of_a_name_replaces_it(source, correct, changed):
    assert name_findings(source, correct) == []
    assert ("name_changed", "error") in name_findings(source, changed)


def test_a_title_word_inside_a_longer_run_is_no_replacement():
    source = "Seperti dilansir TMC Polda Jawa Barat, jalan itu macet."
    assert "name_changed" not in [kind for kind, _severity in name_findings(source, "As reported by TMC West Java police, the road was jammed.")]


def test_a_name_in_indonesian_spelling_is_the_same_name():
    source = "Pertemuan di Jenewa berlangsung kemarin, kata Winkelmann."
    assert name_findings(source, "The meeting in Geneva took place yesterday, Winkelmann said.") == []
    assert ("name_changed", "error") in name_findings(source, "The meeting in Genoa took place yesterday, Winkelmann said.")



def test_an_accented_spelling_of_a_name_is_that_name():
    source = "Tim itu dipuji oleh Arsene Wenger kemarin."
    assert name_findings(source, "The team was praised by Arsène Wenger yesterday.") == []
    assert ("name_changed", "error") in name_findings(source, "The team was praised by Gérard Wenger yesterday.")


def test_a_dictionary_word_name_replaced_by_a_word_of_no_dictionary_is_changed():
    # "Setiawan" is a KBBI word too: its swap is an error only when the new word is in no English
    # dictionary in any case; "Natal" rightly becomes "Christmas"
    source = "Laporan itu ditulis oleh Setiawan pada akhir tahun."
    assert name_findings(source, "The report was written by Setiawan at the end of the year.") == []
    assert ("name_changed", "error") in name_findings(source, "The report was written by Kettlewell at the end of the year.")
    holiday = "Toko itu tutup saat Natal setiap tahun."
    assert [severity for _kind, severity in name_findings(holiday, "The shop closes at Christmas every year.")] in ([], ["warning"])


def test_a_currency_amount_split_by_a_space_after_its_separator_is_one_number():
    source = "Sampai saat ini, Lapindo telah membayar Rp2,91 triliun."
    assert errors(source, "Until now, Lapindo has paid Rp2, 91 trillion.") == []
    assert "number_missing" in errors(source, "Until now, Lapindo has paid Rp2, 97 trillion.")


def test_a_number_word_hyphenated_to_a_unit_after_a_space_counts_on_its_own():
    source = "Delapan ratus botol dua liter terjual kemarin."
    assert errors(source, "Eight hundred two-liter bottles were sold yesterday.") == []
    assert "number_missing" in errors(source, "Eight hundred three-liter bottles were sold yesterday.")
    assert errors("Anak berusia dua puluh lima tahun itu menang.", "The twenty-five-year-old child won.") == []


STORY = [
    ("Hujan deras turun sejak pagi di kota itu. Jalan-jalan utama tergenang air. Sekolah diliburkan.",
     "Heavy rain has fallen since morning in the city. The main roads are flooded. Schools were closed."),
    ("Warga mengungsi ke masjid terdekat. Mereka membawa barang seadanya. Relawan membagikan makanan.",
     "Residents fled to the nearest mosque. They brought what they could. Volunteers handed out food."),
    ("Petugas memperkirakan air surut besok. Mereka meminta warga tetap waspada. Hujan masih mungkin turun.",
     "Officers expect the water to recede tomorrow. They asked residents to stay alert. More rain may still fall."),
    ("Pemerintah daerah menyiapkan bantuan tambahan untuk para pengungsi. Dapur umum dibuka di balai desa.",
     "The local government is preparing extra aid for the evacuees. A public kitchen opened at the village hall."),
]


def test_a_paragraph_without_names_or_figures_dropped_beside_another_is_missing():
    # no anchor tells a merge from a drop here: the "merged" paragraph has only its neighbour's sentences
    source = "\n\n".join(pair[0] for pair in STORY)
    merged = "\n\n".join([STORY[0][1] + " " + STORY[1][1], STORY[2][1], STORY[3][1]])
    assert errors(source, merged) == []
    dropped = "\n\n".join([STORY[0][1], STORY[2][1], STORY[3][1]])
    assert "paragraph_missing" in errors(source, dropped)


def test_a_dropped_paragraphs_names_count_in_full_not_diluted_by_its_neighbours():
    source = ("Menteri Sri Mulyani, Bahlil Lahadalia dan Erick Thohir bertemu di Jakarta dan Surabaya pekan lalu.\n\n"
              "Kabar itu dibenarkan oleh juru bicara Agni Pratama kemarin sore.\n\n"
              "Mereka membahas anggaran negara untuk tahun depan dengan para pejabat daerah dari berbagai provinsi.")
    kept = ["Ministers Sri Mulyani, Bahlil Lahadalia and Erick Thohir met in Jakarta and Surabaya last week.",
            "The news was confirmed by spokesman Agni Pratama yesterday afternoon.",
            "They discussed the state budget for next year with regional officials from various provinces."]
    assert errors(source, "\n\n".join(kept)) == []
    assert "paragraph_missing" in errors(source, "\n\n".join([kept[0] + " It was confirmed.", kept[2]]))


@pytest.mark.parametrize("source, correct, changed", [
    ("Perang itu berlangsung dari 1914 hingga 1945 di Eropa.", "The war lasted between 1914 and 1945 in Europe.",
     "The war lasted between 1914 and 1946 in Europe."),
    ("Perang itu berlangsung antara tahun 1914 dan 1945 di Eropa.", "The war lasted 1914-1945 in Europe.",
     "The war lasted 1914-1946 in Europe."),
    ("Tahan napas selama 20-30 detik.", "Hold your breath for 20, 30 seconds.", "Hold your breath for 20, 40 seconds."),
])
def test_a_range_joined_on_one_side_is_its_two_ends_written_apart_on_the_other(source, correct, changed):
    assert errors(source, correct) == []
    assert errors(source, changed) != []


def test_a_name_is_spelled_another_way_only_when_each_missing_word_is():
    # "Royal" looks like "Roy", but nothing looks like "Keane": the name was dropped, not respelled
    source = "Bukti itu diserahkan oleh Polisi Militer Kerajaan. Pemain terbaik musim itu adalah Roy Keane."
    kept = "The evidence was handed over by the Royal Military Police. The best player of the season was Roy Keane."
    assert_kept_and_each_loss_found(source, kept, "Roy Keane", instead="the captain")
    assert name_findings("Pelatih Muchtar Hasan memuji timnya.", "Coach Mochtar Hasan praised his team.") == []


def test_a_name_in_a_list_line_is_a_name_though_english_has_the_word():
    # a title-cased line's capitals are no evidence, but in an Indonesian text a word of no Indonesian
    # dictionary is a name there even when English lists it ("graham", "shaw")
    source = "Film terburuk tahun itu.\n\n13) Heather Graham — The Hangover\n\n1 — Luke Shaw, Ryan Bertrand, Adam Lallana"
    kept = "The worst films of the year.\n\n13) Heather Graham — The Hangover\n\n1 — Luke Shaw, Ryan Bertrand, Adam Lallana"
    assert_kept_and_each_loss_found(source, kept, "Heather Graham", "Luke Shaw")
    assert name_findings("Paradoks Investasi dan Efisiensi\n\nIsi berita.", "The Paradox of Investment and Efficiency\n\nThe news.") == []


def test_a_one_letter_word_joins_no_neighbour_into_a_look_alike():
    source = '"Selamat kepada Andy," katanya. Dan saya setuju.'
    kept = "'Congratulations to Andy,' he said. And I agree."
    assert_kept_and_each_loss_found(source, kept, "Andy")


def test_a_place_of_several_dictionary_words_is_a_name():
    # "kuala" (estuary) and "lumpur" (mud) are KBBI words; together, a city English writes the same
    source = "Polisi menyatakan kerumunan berjumlah 25.000 di Kuala Lumpur kemarin."
    kept = "Police said the crowd was 25,000 in Kuala Lumpur yesterday."
    assert_kept_and_each_loss_found(source, kept, "Kuala Lumpur", instead="the capital")
    assert name_findings("Ia terbang ke Asia Tenggara dan Amerika Serikat.", "He flew to Southeast Asia and the United States.") == []


def test_a_word_of_both_languages_after_a_name_continues_it():
    source = "Pesawat Wings Air dijadwalkan mendarat di Bandara Ahmad Yani pagi ini."
    kept = "The Wings Air plane was scheduled to land at Ahmad Yani Airport this morning."
    assert name_findings(source, kept) == []
    assert name_findings(source, kept.replace("Wings Air", "Wings")) == [("name_missing", "warning")]
    assert ("name_changed", "error") in name_findings(source, kept.replace("Wings Air", "Wings Kettlewell"))
    assert name_findings("Banjir melanda Jawa Barat kemarin.", "Floods hit West Java yesterday.") == []
    # in a title-cased line too: "Sugar", "Lohan" after a name are its words, though Indonesian lists them
    source = "Pemenang lomba tahun ini.\n\nAmanda Sugar, Kevin Lohan — Bandung"
    assert_kept_and_each_loss_found(source, "This year's contest winners.\n\nAmanda Sugar, Kevin Lohan — Bandung", "Sugar", "Lohan")


def test_a_names_dictionary_word_alone_missing_is_a_warning_even_near_a_new_name():
    # "Arena" may have been translated ("stadium"); the new "Solna" beside it is no evidence of a swap
    source = "Mereka bermain melawan AIK di Friends Arena kemarin."
    changed = "They played AIK at the Friends stadium in Solna yesterday."
    assert name_findings(source, changed) == [("name_missing", "warning")]


@given(st.text(alphabet=st.sampled_from("aeAE .\u0301\u0308\u0327éÉçñﬁ²Ａ“”’İıſKÅß\u212a"), max_size=24))
@settings(max_examples=300, deadline=None)
def test_folding_only_the_non_ascii_runs_drops_the_same_accents_as_decomposing_the_whole_text(text):
    import unicodedata

    from summarizer.checks.names import _fold

    assert _fold(text) == "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
