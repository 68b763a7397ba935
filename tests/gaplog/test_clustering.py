"""Similar unanswered questions are grouped and named by their top words, so officers see the pattern."""

from __future__ import annotations

from bot.gaplog.clustering import cluster_texts

QUESTIONS = [
    "dog poo in the park",
    "dog fouling in the park",
    "dogs fouling the park again",
    "dog mess in park",
    "my bin wasnt colected",
    "bin not collected",
    "bins not collected this week",
    "how do I apply for a parking permit",
    "parking permit application",
    "can I get a parking permit",
    "asbestos removal",
    "who repairs the church clock",
]


def _groups(clusters) -> set[frozenset[str]]:  # noqa: ANN001
    return {frozenset(QUESTIONS[index] for index in cluster.item_ids) for cluster in clusters}


def test_obvious_near_duplicates_are_grouped_even_with_typos() -> None:
    groups = _groups(cluster_texts(QUESTIONS))
    assert frozenset(QUESTIONS[0:4]) in groups
    assert frozenset(QUESTIONS[4:7]) in groups
    assert frozenset(QUESTIONS[7:10]) in groups


def test_unrelated_questions_stay_apart() -> None:
    groups = _groups(cluster_texts(QUESTIONS))
    assert frozenset({"asbestos removal"}) in groups
    assert frozenset({"who repairs the church clock"}) in groups
    assert len(groups) == 5


def test_groups_are_named_by_their_top_words_and_ordered_by_size() -> None:
    clusters = cluster_texts(QUESTIONS)
    assert [cluster.count for cluster in clusters] == [4, 3, 3, 1, 1]
    assert set(clusters[0].terms) >= {"dog", "park"}
    assert "dog" in clusters[0].name and "park" in clusters[0].name
    parking = next(cluster for cluster in clusters if "permit" in cluster.terms)
    assert "parking" in parking.terms
    assert all(example in QUESTIONS[7:10] for example in parking.examples)


def test_the_same_questions_in_another_order_give_the_same_groups() -> None:
    reordered = list(reversed(QUESTIONS))
    ids = [QUESTIONS.index(text) for text in reordered]
    first = cluster_texts(QUESTIONS)
    second = cluster_texts(reordered, ids)
    assert _groups(first) == _groups(second)
    assert [cluster.name for cluster in first] == [cluster.name for cluster in cluster_texts(QUESTIONS)]


def test_placeholders_left_by_redaction_do_not_make_questions_look_alike() -> None:
    clusters = cluster_texts(["[phone] [email] potholes", "[phone] [email] noisy neighbours"])
    assert len(clusters) == 2


def test_nothing_to_group_gives_no_groups() -> None:
    assert cluster_texts([]) == []
    assert cluster_texts(["[phone]", "  "]) == []


def test_a_title_is_made_only_of_words_several_queries_share_never_one_residents_detail() -> None:
    texts = [
        "dog fouling in the park again Zebedee",
        "dog fouling by the park gates",
        "dog fouling all over the park path",
    ]
    [group] = cluster_texts(texts)
    assert group.count == 3 and "dog" in group.terms
    assert "zebedee" not in group.name.lower()


def test_a_single_query_is_not_titled_by_its_own_words_and_can_be_left_out() -> None:
    groups = cluster_texts(["dog fouling in the park", "dog fouling near the park", "Prudence Oyelaran rang"])
    single = [group for group in groups if group.count == 1]
    assert single and single[0].name == "(one query)"
    assert all(
        group.count >= 2
        for group in cluster_texts(
            ["dog fouling in the park", "dog fouling near the park", "Prudence Oyelaran rang"], min_size=2
        )
    )
