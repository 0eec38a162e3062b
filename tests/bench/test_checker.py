"""The mixed run's write check: acknowledged writes against the rows the database holds (bench.checker)."""

import pytest

from bench.checker import Ack, DraftState, check, check_draft, make_token, tokens_in

RUN = "a1b2c3"


def token(session: int, sequence: int) -> str:
    return make_token(run=RUN, session=session, sequence=sequence)


def test_tokens_are_unique_per_session_and_sequence_and_found_in_text():
    first, second, other_session = token(1, 1), token(1, 2), token(2, 1)
    assert len({first, second, other_session}) == 3
    assert tokens_in(f"Load test comment: {first}.") == [first]
    assert tokens_in(f"q={second}") == [second]
    assert tokens_in("no token here, nor lt123 half of one") == []


def test_a_run_id_that_is_not_six_lowercase_characters_is_refused():
    with pytest.raises(ValueError):
        make_token(run="ABC", session=1, sequence=1)


def test_every_acknowledged_insert_present_once_is_neither_lost_nor_duplicated():
    acks = [Ack("saved_search", token(0, 1)), Ack("comment", token(0, 2)), Ack("comment", token(1, 1))]
    rows = {"saved_search": [f"q={token(0, 1)}"], "comment": [f"Comment {token(0, 2)}.", f"Comment {token(1, 1)}."]}

    verdict = check(acks, rows=rows, drafts={})

    assert verdict.ok
    assert (verdict.lost, verdict.duplicated, verdict.unacknowledged_present) == (0, 0, 0)
    assert verdict.acknowledged == {"saved_search": 1, "comment": 2}
    assert verdict.problems == []


def test_an_acknowledged_insert_missing_from_the_database_is_lost():
    acks = [Ack("comment", token(0, 1)), Ack("comment", token(0, 2))]
    rows = {"comment": [f"Comment {token(0, 1)}."]}

    verdict = check(acks, rows=rows, drafts={})

    assert verdict.lost == 1
    assert not verdict.ok
    assert verdict.problems == [f"comment {token(0, 2)}: acknowledged but not in the database"]


def test_an_insert_saved_twice_is_duplicated():
    acks = [Ack("saved_search", token(3, 7))]
    rows = {"saved_search": [f"q={token(3, 7)}", f"q={token(3, 7)}", f"q={token(3, 7)}"]}

    verdict = check(acks, rows=rows, drafts={})

    assert (verdict.lost, verdict.duplicated) == (0, 2)
    assert "acknowledged once, 3 rows in the database" in verdict.problems[0]


def test_a_row_whose_answer_never_came_is_reported_but_not_lost():
    """A request that timed out after its commit: saved, never acknowledged; the timeout is the run's error."""
    rows = {"comment": [f"Comment {token(0, 1)}."]}

    verdict = check([], rows=rows, drafts={})

    assert verdict.ok
    assert verdict.unacknowledged_present == 1


def test_a_row_of_the_wrong_kind_does_not_count():
    acks = [Ack("comment", token(0, 1))]
    rows = {"comment": [], "saved_search": [f"q={token(0, 1)}"]}

    assert check(acks, rows=rows, drafts={}).lost == 1


def test_versioned_draft_saves_each_claiming_one_version_lose_nothing():
    acks = [
        Ack("draft", token(0, 1), target=7, version=4, finished=1.0),
        Ack("draft", token(1, 1), target=7, version=5, finished=3.0),
        Ack("draft", token(2, 1), target=7, version=6, finished=2.0),  # answered before version 5's
    ]
    state = DraftState(start_version=4, final_version=7, final_text=f"Summary {token(2, 1)}.")

    verdict = check_draft(7, acks, state)

    assert verdict.lost == 0
    assert verdict.expected_token == token(2, 1)  # the highest version, not the last answer to arrive
    assert verdict.problems == []


def test_two_acknowledged_saves_of_the_same_version_are_a_lost_update():
    """The second save overwrote the first without seeing it: one version claimed, two saves acknowledged."""
    acks = [
        Ack("draft", token(0, 1), target=7, version=4, finished=1.0),
        Ack("draft", token(1, 1), target=7, version=4, finished=2.0),
    ]
    state = DraftState(start_version=4, final_version=5, final_text=f"Summary {token(1, 1)}.")

    verdict = check(acks, rows={}, drafts={7: state})

    assert verdict.lost == 1
    assert "2 saves of version 4 were all acknowledged" in " ".join(verdict.problems)
    assert "2 acknowledged saves, edit_version went up by 1" in " ".join(verdict.problems)


def test_final_text_other_than_the_last_acknowledged_save_is_lost():
    acks = [
        Ack("draft", token(0, 1), target=7, version=1, finished=1.0),
        Ack("draft", token(1, 1), target=7, version=2, finished=2.0),
    ]
    state = DraftState(start_version=1, final_version=3, final_text=f"Summary {token(0, 1)}.")

    verdict = check(acks, rows={}, drafts={7: state})

    assert verdict.lost == 1
    assert verdict.drafts[0].final_token == token(0, 1)
    assert verdict.drafts[0].expected_token == token(1, 1)


def test_a_later_save_that_was_never_answered_may_hold_the_text_without_losing_anything():
    acks = [Ack("draft", token(0, 1), target=7, version=1, finished=1.0)]
    state = DraftState(start_version=1, final_version=3, final_text=f"Summary {token(5, 9)}.")

    verdict = check(acks, rows={}, drafts={7: state})

    assert verdict.lost == 0
    assert verdict.unacknowledged_present == 1


def test_saves_without_versions_that_leave_the_version_unchanged_are_lost_updates():
    """A draft editor without edit versions: every save is acknowledged and none claims a version."""
    acks = [
        Ack("draft", token(0, 1), target=7, version=None, finished=1.0),
        Ack("draft", token(1, 1), target=7, version=None, finished=2.0),
    ]
    state = DraftState(start_version=1, final_version=1, final_text=f"Summary {token(1, 1)}.")

    verdict = check(acks, rows={}, drafts={7: state})

    assert verdict.lost == 2
    assert verdict.drafts[0].expected_token == token(1, 1)  # by arrival when there are no versions


def test_a_draft_with_refused_saves_only_is_unchanged_and_fine():
    state = DraftState(start_version=3, final_version=3, final_text="The lead's summary.")

    verdict = check([], rows={}, drafts={7: state})

    assert verdict.ok
    assert verdict.drafts[0].acknowledged == 0


def test_saves_of_a_draft_that_was_not_read_back_are_lost():
    acks = [Ack("draft", token(0, 1), target=99, version=1)]

    verdict = check(acks, rows={}, drafts={})

    assert verdict.lost == 1
    assert verdict.as_dict()["acknowledged_total"] == 1
