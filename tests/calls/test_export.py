"""CSV export of a call's proposals and scores: for the city's officials only, safe to open in a spreadsheet."""

import csv
import io

from calls.factories import ProposalFactory, submit_for_tests
from hub.csv import csv_safe as _csv_cell
from tests.calls.test_ranking import add_proposal
from tests.calls.test_review_assignment import person


def rows(response):
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_export_has_one_row_per_submitted_proposal_with_scores(client, open_call, city):
    _org, official = city
    add_proposal(open_call, official, 1, [[5, 4, None, 2], [3, 4, 1, 2]])
    ProposalFactory(call=open_call, lead=person("drafter@example.org"), title="Unsubmitted draft")
    client.force_login(official)
    header, *data = rows(client.get(f"/calls/{open_call.pk}/export.csv"))
    assert header[:9] == ["id", "title", "lead", "team", "countries", "budget", "currency", "status", "version"]
    assert header[-2:] == ["weighted score", "reviews"]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["title"] == "Proposal 1" and row["version"] == "1" and row["reviews"] == "2"
    assert row[f"mean: {open_call.criteria.all()[0].name}"] == "4.00"
    assert row[f"mean: {open_call.criteria.all()[2].name}"] == "1.00"  # N/A left out
    assert row["budget"] == "30000.00" and row["currency"] == "EUR"


def test_export_neutralises_spreadsheet_formulas(client, open_call, city):
    _org, official = city
    proposal = ProposalFactory(call=open_call, lead=person("mallory@example.org"), title='=HYPERLINK("http://evil")')
    submit_for_tests(proposal)
    client.force_login(official)
    _header, row = rows(client.get(f"/calls/{open_call.pk}/export.csv"))
    assert row[1] == '\'=HYPERLINK("http://evil")'


def test_every_formula_prefix_is_neutralised():
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert _csv_cell(cell).startswith("'")
    assert _csv_cell("Plain text") == "Plain text" and _csv_cell(None) == "" and _csv_cell(3) == "3"


def test_reviewer_of_other_proposal_gets_404_on_the_export(client, open_call, city, make_city, researcher):
    _org, official = city
    proposal = add_proposal(open_call, official, 1, [[1, 1, 1, 1]])
    reviewer = proposal.review_assignments.get().reviewer
    _linz, linz_official = make_city("Linz")
    for user in (reviewer, researcher, linz_official):
        client.force_login(user)
        assert client.get(f"/calls/{open_call.pk}/export.csv").status_code == 404
    client.logout()
    assert client.get(f"/calls/{open_call.pk}/export.csv").status_code == 302
