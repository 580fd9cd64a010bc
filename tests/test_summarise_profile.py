"""Segment profile: over- and under-represented segments on cases whose answer is known."""

from synthesis.cards import UNKNOWN_SEGMENT, Card
from synthesis.result import Theme
from synthesis.summarise.profile import ALPHA, profile_themes, tarone_testable


def answers(kinds: dict[str, str], *, departement: dict[str, str] | None = None) -> list[Card]:
    """One answer per respondent, with its « Type » (and « Département ») segment."""
    cards = []
    for row, (respondent, kind) in enumerate(kinds.items(), start=2):
        segments = [("Type", kind)] + ([("Département", departement.get(respondent, ""))] if departement else [])
        cards.append(Card(id=f"r{row}", text="…", group=respondent, category="Q", row=row, respondent=respondent, segments=tuple(segments)))
    return cards


def theme(theme_id: str, cards: list[Card]) -> Theme:
    return Theme(id=theme_id, category="Q", label=theme_id, card_ids=[c.id for c in cards], unit_ids=[c.id for c in cards],
                 groups=sorted({c.group for c in cards}), n_cards=len(cards), votes=0, quotes=[])


def shares(profiled: Theme, segment="Type") -> dict:
    return {share.value: share for share in profiled.profile if share.segment == segment}


def test_a_theme_raised_by_one_kind_of_structure_shows_it_over_and_the_other_under():
    kinds = {f"station {i}": "station" for i in range(12)} | {f"autre {i}": "intercommunal" for i in range(36)}
    cards = answers(kinds)
    stations = [card for card in cards if card.segment("Type") == "station"]
    others = [card for card in cards if card.segment("Type") != "station"]
    seasonal = theme("q1-01", stations[:10] + others[:2])  # 10 of 12 stations, 2 of 36 others
    spread = theme("q1-02", stations[:3] + others[:9])  # a quarter of each: no deviation
    profile_themes([seasonal, spread], cards, ["Type"])
    over, under = shares(seasonal)["station"], shares(seasonal)["intercommunal"]
    assert (over.direction, under.direction) == ("+", "-")
    assert over.observed == 10 and over.expected == 3.0 and over.respondents == 12
    assert over.test == "fisher" and over.q_value < ALPHA  # expected cells under 5: Fisher's exact test
    assert all(share.direction == "" and share.test for share in spread.profile)


def test_chi2_is_used_when_every_expected_cell_is_large_enough():
    kinds = {f"a{i}": "A" for i in range(50)} | {f"b{i}": "B" for i in range(50)}
    cards = answers(kinds)
    a_cards = [c for c in cards if c.segment("Type") == "A"]
    b_cards = [c for c in cards if c.segment("Type") == "B"]
    profiled = theme("q1-01", a_cards[:30] + b_cards[:10])
    profile_themes([profiled], cards, ["Type"])
    assert {share.test for share in profiled.profile} == {"chi2"}
    assert shares(profiled)["A"].direction == "+"


def test_counts_too_small_for_any_test_get_no_p_value():
    kinds = {f"r{i}": ("A" if i < 15 else "B") for i in range(30)}
    cards = answers(kinds)
    small = theme("q1-01", cards[:2])  # two respondents of half the population: even 2 of 2 would be chance
    profile_themes([small], cards, ["Type"])
    assert all(share.test == "" and share.p_value is None and share.direction == "" for share in small.profile)


def test_respondent_counted_once_however_many_answers_join_the_theme():
    kinds = {f"station {i}": "station" for i in range(12)} | {f"autre {i}": "intercommunal" for i in range(36)}
    cards = answers(kinds)
    twice = [Card(id=f"{c.id}-bis", text="…", group=c.group, category="Q", row=c.row, respondent=c.respondent, segments=c.segments)
             for c in cards[:10]]
    profiled = theme("q1-01", cards[:10] + twice + cards[12:14])
    profile_themes([profiled], cards + twice, ["Type"])
    assert shares(profiled)["station"].observed == 10  # not 20


def test_unknown_segment_values_are_counted_but_never_tested():
    kinds = {f"r{i}": "A" if i < 20 else "B" for i in range(40)}
    departement = {f"r{i}": ("Aude" if i % 2 else "") for i in range(40)}
    cards = answers(kinds, departement=departement)
    profiled = theme("q1-01", [c for c in cards if not c.segment("Département")][:15])
    profile_themes([profiled], cards, ["Type", "Département"])
    unknown = shares(profiled, "Département")[UNKNOWN_SEGMENT]
    assert unknown.observed == 15 and unknown.test == "" and unknown.p_value is None


def test_isolated_bucket_gets_no_profile():
    kinds = {f"r{i}": "A" if i < 20 else "B" for i in range(40)}
    cards = answers(kinds)
    bucket = theme("q1-isolees", cards[:5])
    bucket.isolated = True
    profile_themes([bucket], cards, ["Type"])
    assert bucket.profile == []


def test_tarone_keeps_only_the_tests_that_could_reach_significance():
    assert tarone_testable([1e-6, 1e-6, 0.5, 0.03]) == [True, True, False, False]  # K = 2: 0.03 >= 0.05 / 2
    assert tarone_testable([0.01]) == [True]
    assert tarone_testable([0.2, 0.9]) == [False, False]
