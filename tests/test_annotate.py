"""Normalizer.annotate(): mentions, offsets, precision rules, document context and coreference."""

from __future__ import annotations

import dataclasses

import pytest

from normalizer.text.annotate import Mention, detect_lang, entity_counts
from normalizer.text.mentions import excluded_ranges, load_data, tokenize


def ids(mentions: list[Mention]) -> list[tuple[str, str]]:
    return [(m.text, m.id) for m in mentions]


def test_mention_is_immutable_with_offsets_into_the_original(normalizer) -> None:
    text = "Вибухи\r\nу Лисичанську та в Києві."
    mentions = normalizer.annotate(text)
    assert ids(mentions) == [("Лисичанську", "UA44120050010021900"), ("Києві", "UA80000000000093317")]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    with pytest.raises(dataclasses.FrozenInstanceError):
        mentions[0].id = "x"  # type: ignore[misc]
    assert "Лисичанську" in repr(mentions[0]) and "UA44120050010021900" in repr(mentions[0])


def test_to_dict_has_the_entity_fields_and_status_only_when_ambiguous(normalizer) -> None:
    mention = normalizer.annotate("Shelling hit Kharkiv again.")[0]
    data = mention.to_dict()
    assert list(data) == ["start", "end", "text", "id", "kind", "name", "name_uk", "oblast_id", "country", "score"]
    assert data["id"] == "UA63120270010096107" and data["kind"] == "city" and data["name_uk"] == "Харків"


def test_multi_word_names(normalizer) -> None:
    text = "Explosions in Bila Tserkva, Nova Kakhovka and Chasiv Yar; the Sea of Azov is calm."
    assert ids(normalizer.annotate(text)) == [
        ("Bila Tserkva", "UA32020010010081183"), ("Nova Kakhovka", "UA65060170010075325"),
        ("Chasiv Yar", "UA14020130010015598"), ("Sea of Azov", "sea:sea-of-azov"),
    ]


def test_kind_words_decide_city_or_oblast(normalizer) -> None:
    text = ("Fighting in the Lugansk region and the Luhansk Oblast; the city of Donetsk was shelled, "
            "and the Kyiv and Chernihiv regions heard sirens.")
    assert ids(normalizer.annotate(text)) == [
        ("Lugansk region", "UA44000000000018893"), ("Luhansk Oblast", "UA44000000000018893"),
        ("Donetsk", "UA14080030010048113"), ("Kyiv", "UA32000000000030281"),
        ("Chernihiv regions", "UA74000000000025378"),
    ]


def test_colloquial_and_inflected_cyrillic(normalizer) -> None:
    uk = "На Луганщині і в межах Харківщини тривають бої; у Київській області тихо, під Бахмутом гаряче."
    assert ids(normalizer.annotate(uk)) == [
        ("Луганщині", "UA44000000000018893"), ("Харківщини", "UA63000000000041885"),
        ("Київській області", "UA32000000000030281"), ("Бахмутом", "UA14020010010059145"),
    ]
    ru = "Бои идут под Бахмутом и у Часова Яра, в Луганской области и на Харьковщине."
    assert ids(normalizer.annotate(ru)) == [
        ("Бахмутом", "UA14020010010059145"), ("Часова Яра", "UA14020130010015598"),
        ("Луганской области", "UA44000000000018893"), ("Харьковщине", "UA63000000000041885"),
    ]


def test_adjectives_need_their_kind_word(normalizer) -> None:
    assert ids(normalizer.annotate("Київська область і Kyiv region")) == [
        ("Київська область", "UA32000000000030281"), ("Kyiv region", "UA32000000000030281")]
    assert normalizer.annotate("Сумська філармонія і Київський університет") == []


def test_surname_alone_follows_the_full_name(normalizer) -> None:
    text = "Gaidai said the city fell. Earlier, Sergei Gaidai had warned of it; Гайдая цитують усі."
    mentions = normalizer.annotate(text)
    assert [m.id for m in mentions] == ["person:serhii-haidai"] * 3
    assert [m.text for m in mentions] == ["Gaidai", "Sergei Gaidai", "Гайдая"]


def test_unknown_person_is_not_a_place(normalizer) -> None:
    # Aleksandrov is a town in Russia; after a given name it is a person's surname
    assert normalizer.annotate("Photographer Aleksey Aleksandrov filmed the ruins.") == []


def test_credits_and_capitalized_non_names(normalizer) -> None:
    text = ("On Sunday HELP signs and Telegram posts spread; Russian and Ukrainian officials spoke of Iskander "
            "debris. (Efrem Lukatsky/AP) Photo: Evgeniy Maloletka / AP")
    assert normalizer.annotate(text) == []


def test_abroad_is_never_a_ukrainian_namesake(normalizer) -> None:
    mentions = normalizer.annotate("Troops moved from Belarus; Moscow and Belgorod reported drones.")
    assert mentions and all(not m.id.startswith("UA") for m in mentions)
    assert {m.kind for m in mentions} == {"foreign"}


def test_no_fuzzy_links_for_short_tokens(normalizer) -> None:
    # June, Some, There: a village or a town abroad at one or two edits; none of them is a name here
    assert ids(normalizer.annotate("In June, Some said There was a Tver.")) == [("Tver", "foreign:ru-tver")]


def test_person_name_shapes(normalizer) -> None:
    text = "Serhiy Haidai, S. Haidai and Гайдай Сергій; Zelensky’s office, V. Zelensky; Vitali was in Kyiv."
    assert ids(normalizer.annotate(text)) == [
        ("Serhiy Haidai", "person:serhii-haidai"), ("S. Haidai", "person:serhii-haidai"),
        ("Гайдай Сергій", "person:serhii-haidai"), ("Zelensky", "person:volodymyr-zelenskyi"),
        ("V. Zelensky", "person:volodymyr-zelenskyi"), ("Kyiv", "UA80000000000093317"),
    ]


def test_streets_and_attributive_adjectives(normalizer) -> None:
    text = "На вулиці Сумській і проспекті Перемоги зібралися моряки Чорноморського флоту біля Харківського заводу."
    assert normalizer.annotate(text) == []


def test_river_by_its_bank(normalizer) -> None:
    mentions = normalizer.annotate("Обстріл з лівого берега Дніпра; у Дніпрі тихо.")
    assert ids(mentions) == [("Дніпра", "river:dnipro"), ("Дніпрі", "UA12020010010037010")]


def test_ambiguous_decided_by_the_oblast_nearby(normalizer) -> None:
    text = "У Покровському районі Донецької області тривають бої."
    mentions = normalizer.annotate(text)
    assert ids(mentions) == [("Покровському районі", "UA14160000000061982"),
                             ("Донецької області", "UA14000000000091971")]
    assert mentions[0].status == "ambiguous" and "Donetsk" in mentions[0].note
    assert mentions[0].to_dict()["status"] == "ambiguous"


def test_ambiguous_left_out_unless_asked(normalizer) -> None:
    text = "Андріївка знову під обстрілом."
    assert normalizer.annotate(text) == []
    undecided = normalizer.annotate(text, undecided=True)
    assert [m.status for m in undecided] == ["undecided"]
    data = undecided[0].to_dict()
    assert data["status"] == "undecided" and len(data["candidates"]) >= 2 and data["id"] in data["candidates"]


def test_bad_arguments(normalizer) -> None:
    with pytest.raises(TypeError):
        normalizer.annotate(b"Kyiv")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        normalizer.annotate("Kyiv", lang="de")
    assert normalizer.annotate("") == []
    assert normalizer.annotate("   \n\n") == []


def test_lang_option_does_not_change_offsets(normalizer) -> None:
    text = "Kyiv і Харків"
    for lang in ("auto", "en", "uk", "ru"):
        assert ids(normalizer.annotate(text, lang=lang)) == [("Kyiv", "UA80000000000093317"),
                                                              ("Харків", "UA63120270010096107")]


def test_detect_lang() -> None:
    assert detect_lang("Shelling in Kharkiv") == "en"
    assert detect_lang("Обстріл Харкова і Києва") == "uk"
    assert detect_lang("Обстрел Харькова, сообщил губернатор") == "ru"


def test_entity_counts(normalizer) -> None:
    mentions = normalizer.annotate("Kyiv, Kharkiv and Kyiv again; Kyiv.")
    counts = [(m.id, n) for m, n in entity_counts(mentions)]
    assert counts == [("UA80000000000093317", 3), ("UA63120270010096107", 1)]


def test_tokens_keep_offsets_and_drop_possessives() -> None:
    text = "Kyiv's mayor, Слов'янськ and Moscow-backed"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["Kyiv", "mayor", "Слов'янськ", "and", "Moscow", "backed"]
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert tokens[0].initial and not tokens[2].initial and tokens[2].cyrillic


def test_credit_patterns() -> None:
    data = load_data()
    text = "Ruins in Kharkiv. (Andrey Marienko/AP) More (Photo by John Smith / Reuters) text."
    ranges = excluded_ranges(text, data)
    covered = [text[a:b] for a, b in ranges]
    assert "(Andrey Marienko/AP)" in covered
    assert any("John Smith" in c for c in covered)
    assert not any("Kharkiv" in c for c in covered)


def test_a_long_document_is_linear(normalizer) -> None:
    from .conftest import SEEDS

    article = (SEEDS / "kyiv-missiles-2022-06.txt").read_text(encoding="utf-8")
    single = normalizer.annotate(article)
    joined = "\n\n".join([article] * 5)
    assert len(normalizer.annotate(joined)) == 5 * len(single)


_FRAGMENTS = ["Kyiv", "Kyiv region", "Lugansk", "region", "у Лисичанську", "под Бахмутом", "Луганщина", "Sergei Gaidai",
              "Gaidai", "the city of", "Donetsk", ",", ".", " ", "\n\n", "(Efrem Lukatsky/AP)", "Moscow-backed",
              "Київська область", "and", "та", "Black Sea", "HELP", "Sunday", "’s", "вулиця", "Сумська", "-", "«", "»",
              "V.", "Zelensky", "\u0301", "\ufeff", "🚀", "Ä", "ё"]


@pytest.mark.parametrize("seed", range(25))
def test_any_text_gives_sorted_disjoint_mentions_with_true_offsets(normalizer, seed: int) -> None:
    import random

    rng = random.Random(seed)
    text = "".join(rng.choice(_FRAGMENTS) + rng.choice(["", " ", " ", ", "]) for _ in range(rng.randint(0, 60)))
    mentions = normalizer.annotate(text, undecided=bool(seed % 2))
    ends = -1
    for mention in mentions:
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.text
        assert mention.start >= ends
        ends = mention.end
        assert mention.id and mention.kind and 0.0 <= mention.score <= 1.0
