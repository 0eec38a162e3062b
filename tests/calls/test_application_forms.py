"""Each call's own questions: conditional display, validation, answers frozen per version, CSV, PDF and review questions."""

# The shared proposal fixtures are imported from test_proposal_services; pytest injects them by name.
# ruff: noqa: F401, F811

import csv
import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.blocks import StreamBlockValidationError

import pytest

from calls import application_forms as af
from calls import demo
from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.form_blocks import ApplicationFormBlock
from calls.forms_application import ApplicationAnswersForm, field_name
from calls.models import Attachment, Proposal, ResearchCall, ReviewAssignment
from calls.services import proposals as services
from calls.services.calls import call_use_as_template
from calls.services.reviews import review_assign, review_declare
from calls.views.proposals import version_pdf_document
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage
from tests.calls.test_proposal_services import FILLED, PDF, draft, filled, lead

pytestmark = pytest.mark.django_db


def q(kind, key, label, *, required=True, when="", value="", **options):
    return {
        "type": kind,
        "value": {
            "key": key,
            "label": label,
            "help_text": "",
            "required": required,
            "show_when_key": when,
            "show_when_value": value,
            **options,
        },
    }


FORM = [
    {"type": "heading", "value": {"heading": "Partners", "text": "Who you work with."}},
    q("choice", "partner", "Do you work with a community partner?", choices="yes\nno"),
    q("long_text", "partner_role", "What does the partner do?", when="partner", value="yes", max_words=8),
    q("number", "participants", "How many participants?", required=False, min_value="1", max_value="500"),
    q("multiple_choice", "groups", "Groups involved", required=False, choices="Older persons\nMigrants"),
    q("short_text", "languages", "Languages of the fieldwork", when="groups", value="Migrants", required=False),
    q("date", "start", "Planned start", required=False),
    q("budget_table", "budget_lines", "Budget by category", required=False, categories="Staff\nTravel"),
    q("team_table", "staff", "Project staff", required=False, max_rows=2),
    q("consent", "consent", "I agree that the city processes the data of this application."),
]


def with_form(call: ResearchCall, form=FORM, field="application_form") -> ResearchCall:
    setattr(call, field, form)
    call.save()
    return ResearchCall.objects.get(pk=call.pk)


def post_data(proposal, answers=None, **draft):
    data = {
        "edit_version": proposal.edit_version,
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        **{k: v for k, v in FILLED.items()},
        **draft,
    }
    for key, value in (answers or {}).items():
        data[f"answers-{key}"] = value
    return data


@pytest.fixture
def call_with_form(open_call):
    return with_form(open_call)


@pytest.fixture
def answered(call_with_form, filled, lead):
    proposal = Proposal.objects.get(pk=filled.pk)
    return services.proposal_save_draft(
        proposal=proposal,
        by=lead,
        data=FILLED,
        edit_version=proposal.edit_version,
        answers={"partner": "yes", "partner_role": "Tenant union runs workshops", "consent": True},
    )


# The rules, without a database


def test_a_question_shows_only_when_its_condition_holds_and_hides_under_a_hidden_one():
    questions = af.questions_from(
        [
            q("choice", "a", "A", choices="yes\nno"),
            q("choice", "b", "B", when="a", value="yes", choices="yes\nno"),
            q("short_text", "c", "C", when="b", value="yes"),
            q("consent", "d", "D"),
            q("short_text", "e", "E", when="d", value="no"),
        ]
    )
    assert af.shown_keys(questions, {"a": "yes", "b": "yes"}) == {"a", "b", "c", "d", "e"}
    # b is hidden, so c is hidden though b's stale answer says "yes".
    assert af.shown_keys(questions, {"a": "no", "b": "yes", "d": True}) == {"a", "d"}
    assert af.missing_required(questions, {"a": "yes", "b": "no", "d": True}) == []
    assert af.missing_required(questions, {"a": "yes", "b": "yes"}) == ["C", "D", "E"]


def test_hidden_answers_are_dropped_and_removed_questions_are_kept():
    questions = af.questions_from(FORM)
    kept = af.kept_answers(
        questions,
        {"old_question": "kept", "partner_role": "old"},
        {"partner": "no", "partner_role": "typed while hidden"},
    )
    assert kept == {"old_question": "kept", "partner": "no"}


def test_display_strings():
    questions = {x.key: x for x in af.questions_from(FORM)}
    rows = [{"category": "Staff", "amount": "1000.00"}, {"category": "Travel", "amount": "250.50"}]
    assert af.display(questions["budget_lines"], rows) == "Staff: 1000.00; Travel: 250.50; Total: 1250.50"
    assert af.display(questions["groups"], ["Older persons", "Migrants"]) == "Older persons; Migrants"
    assert af.display(questions["consent"], True) == "Yes"
    staff = [{"name": "Ana", "role": "Fieldwork", "affiliation": "Uni"}]
    assert af.display(questions["staff"], staff) == "Ana, Fieldwork, Uni"


def test_the_editor_refuses_duplicate_keys_and_conditions_on_later_questions():
    block = ApplicationFormBlock()
    with pytest.raises(StreamBlockValidationError):
        block.clean(block.to_python([q("short_text", "a", "A"), q("short_text", "a", "Again")]))
    with pytest.raises(StreamBlockValidationError):
        block.clean(block.to_python([q("short_text", "b", "B", when="a", value="x"), q("short_text", "a", "A")]))
    with pytest.raises(StreamBlockValidationError):
        block.clean(block.to_python([q("date", "a", "A"), q("short_text", "b", "B", when="a", value="x")]))
    block.clean(block.to_python(FORM))


# The Django form


def bound(data, stored=None, files=None):
    return ApplicationAnswersForm(
        {f"answers-{k}": v for k, v in data.items()}, files, questions=af.questions_from(FORM), answers=stored
    )


def test_word_limits_choices_and_ranges_are_checked_on_the_server():
    form = bound(
        {
            "q_partner": "perhaps",
            "q_participants": "501",
            "q_start": "15/03/2027",
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"q_partner", "q_participants", "q_start"}
    form = bound({"q_partner": "yes", "q_partner_role": "one two three four five six seven eight nine"})
    assert not form.is_valid()
    assert "At most 8 words" in form.errors["q_partner_role"][0]


def test_a_hidden_questions_bad_answer_neither_blocks_nor_is_kept():
    form = bound({"q_partner": "no", "q_partner_role": "far too many words for the limit of eight words here"})
    assert form.is_valid(), form.errors
    assert form.typed_answers == {"partner": "no"}


def test_answers_are_stored_as_json(call_with_form):
    form = bound(
        {
            "q_partner": "yes",
            "q_partner_role": "  Runs the workshops  ",
            "q_participants": "120",
            "q_groups": ["Migrants"],
            "q_languages": "Arabic, Dari",
            "q_start": "2027-03-15",
            "q_budget_lines__0": "1000",
            "q_staff__0__name": "Ana Ruiz",
            "q_staff__0__role": "Fieldwork",
            "q_consent": "on",
        }
    )
    assert form.is_valid(), form.errors
    assert form.typed_answers == {
        "partner": "yes",
        "partner_role": "Runs the workshops",
        "participants": "120",
        "groups": ["Migrants"],
        "languages": "Arabic, Dari",
        "start": "2027-03-15",
        "budget_lines": [{"category": "Staff", "amount": "1000.00"}, {"category": "Travel", "amount": None}],
        "staff": [{"name": "Ana Ruiz", "role": "Fieldwork", "affiliation": ""}],
        "consent": True,
    }


# The edit page


def test_edit_page_renders_the_questions_with_their_conditions(client, call_with_form, filled, lead):
    client.force_login(lead)
    html = client.get(f"/proposals/{filled.pk}/edit/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Do you work with a community partner?" in html
    assert 'data-show-when-key="partner" data-show-when-value="yes"' in html
    assert "js/application_form.js" in html


def test_hostile_and_oversized_answers_are_refused_and_kept_in_the_page(client, call_with_form, filled, lead):
    client.force_login(lead)
    hostile = '<script>alert("x")</script> ' + "word " * 30
    response = client.post(
        f"/proposals/{filled.pk}/edit/",
        post_data(filled, {"q_partner": "yes", "q_partner_role": hostile, "q_participants": "9" * 40}),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "At most 8 words" in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and '<script>alert("x")' not in html
    assert 'value="yes" data-answer-type="choice" id="id_answers-q_partner_0" checked' in html
    assert Proposal.objects.get(pk=filled.pk).answers == {}


def test_saving_keeps_answers_of_shown_questions_only(client, call_with_form, filled, lead):
    client.force_login(lead)
    response = client.post(
        f"/proposals/{filled.pk}/edit/",
        post_data(filled, {"q_partner": "no", "q_partner_role": "typed, then hidden", "q_consent": "on"}),
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=filled.pk).answers == {"partner": "no", "consent": True}


def test_required_when_shown_is_checked_at_submission(call_with_form, filled, lead):
    proposal = services.proposal_save_draft(
        proposal=filled, by=lead, data=FILLED, edit_version=filled.edit_version, answers={"partner": "yes"}
    )
    problems = " ".join(services.submission_problems(proposal, proposal.call.opens_at))
    assert "What does the partner do?" in problems and "I agree that the city" in problems
    proposal = services.proposal_save_draft(
        proposal=proposal,
        by=lead,
        data=FILLED,
        edit_version=proposal.edit_version,
        answers={"partner": "no", "consent": True},
    )
    assert not any(
        "Answer these questions" in p for p in services.submission_problems(proposal, proposal.call.opens_at)
    )


def test_file_question_goes_through_the_upload_checks(client, open_call, filled, lead):
    with_form(open_call, [q("file", "letter", "Letter of support", allowed_types=["pdf"], max_size_mb=1)])
    client.force_login(lead)
    data = post_data(filled)
    data["answers-q_letter"] = SimpleUploadedFile("letter.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(f"/proposals/{filled.pk}/edit/", data)
    assert response.status_code == 400 and "is not a PDF document" in response.content.decode()
    assert not Attachment.objects.filter(proposal=filled).exists()

    data = post_data(filled)
    data["answers-q_letter"] = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = client.post(f"/proposals/{filled.pk}/edit/", data)
    assert response.status_code == 400 and "at most 1.0" in response.content.decode()

    data = post_data(filled)
    data["answers-q_letter"] = SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")
    assert client.post(f"/proposals/{filled.pk}/edit/", data).status_code == 302
    answer = Proposal.objects.get(pk=filled.pk).answers["letter"]
    attachment = Attachment.objects.get(pk=answer["attachment"])
    assert answer["name"] == "letter.pdf" and attachment.file.name.endswith(".pdf")
    # Saving again without a file keeps it.
    proposal = Proposal.objects.get(pk=filled.pk)
    assert client.post(f"/proposals/{filled.pk}/edit/", post_data(proposal)).status_code == 302
    assert Proposal.objects.get(pk=filled.pk).answers["letter"] == answer


# Frozen per version


def test_submitted_version_freezes_answers_in_form_order_with_the_form(answered, lead):
    version = services.proposal_submit(proposal=answered, by=lead)
    answers = version.content["answers"]
    # Shown questions in form order, answered or not (languages is hidden: no group "Migrants").
    assert [a["key"] for a in answers] == [
        "partner",
        "partner_role",
        "participants",
        "groups",
        "start",
        "budget_lines",
        "staff",
        "consent",
    ]
    assert answers[0] == {
        "key": "partner",
        "label": "Do you work with a community partner?",
        "type": "choice",
        "value": "yes",
        "display": "yes",
    }
    assert answers[-1]["display"] == "Yes"
    assert version.content["form"][1]["value"]["key"] == "partner"


def test_changing_the_form_after_submission_loses_no_answer(client, answered, lead, city):
    v1 = services.proposal_submit(proposal=answered, by=lead)
    call = answered.call
    # The city rewords a question, removes one and adds one after the first submission.
    new_form = [
        q("choice", "partner", "Is a community partner on board?", choices="yes\nno"),
        q("short_text", "website", "Project website", required=False),
        q("consent", "consent", "I agree."),
    ]
    with_form(call, new_form)
    services.proposal_withdraw(proposal=answered, by=lead)
    proposal = Proposal.objects.get(pk=answered.pk)
    assert proposal.answers["partner_role"] == "Tenant union runs workshops"  # not on the form, still kept
    proposal = services.proposal_save_draft(
        proposal=proposal,
        by=lead,
        data=FILLED,
        edit_version=proposal.edit_version,
        answers={"partner": "yes", "website": "https://example.org", "consent": True},
    )
    v2 = services.proposal_submit(proposal=proposal, by=lead)
    v1.refresh_from_db()
    assert "What does the partner do?" in [a["label"] for a in v1.content["answers"]]
    assert [a["label"] for a in v2.content["answers"]] == [
        "Is a community partner on board?",
        "Project website",
        "I agree.",
    ]

    client.force_login(city[1])
    html = client.get(f"/proposals/{proposal.pk}/versions/1/").content.decode()
    assert "What does the partner do?" in html and "Tenant union runs workshops" in html
    html = client.get(f"/proposals/{proposal.pk}/versions/2/").content.decode()
    assert "Project website" in html and "What does the partner do?" not in html


def test_two_stage_calls_have_a_form_per_stage(city, lead):
    page = CityPage.objects.get(organisation=city[0])
    call = make_call(
        city_page=page,
        two_stage=True,
        closes_in=dt.timedelta(days=20),
        full_proposal_closes_at=timezone.now() + dt.timedelta(days=50),
        application_form=[q("short_text", "idea", "The idea in one line")],
        full_application_form=[q("long_text", "plan", "The full work plan")],
    )
    proposal = ProposalFactory(call=call, lead=lead, stage=Proposal.Stage.CONCEPT)
    assert [x.key for x in services.form_questions(proposal)] == ["idea"]
    proposal.status = Proposal.Status.INVITED
    assert [x.key for x in services.form_questions(proposal)] == ["plan"]


# Pages, CSV, PDF


def test_proposal_page_shows_answers_and_its_queries_do_not_grow_with_questions(
    client, open_call, filled, lead, django_assert_max_num_queries
):
    client.force_login(lead)

    def count(n):
        form = [q("short_text", f"q{i}", f"Question number {i}", required=False) for i in range(n)]
        with_form(open_call, form)
        proposal = Proposal.objects.get(pk=filled.pk)
        proposal.answers = {f"q{i}": f"Answer {i}" for i in range(n)}
        proposal.save()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/proposals/{filled.pk}/")
        assert f"Answer {n - 1}" in response.content.decode()
        return len(ctx.captured_queries)

    count(2)  # the first request warms caches (session, site, translations)
    few = count(2)
    many = count(40)
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(f"/proposals/{filled.pk}/")


def test_csv_export_has_a_column_per_question(client, answered, lead, city):
    services.proposal_submit(proposal=answered, by=lead)
    with_form(answered.call, [*FORM, q("short_text", "added_later", "Added later", required=False)])
    client.force_login(city[1])
    response = client.get(reverse("call_export", args=[answered.call_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert "answer: Do you work with a community partner?" in header
    assert "answer: Added later" in header
    row = dict(zip(header, rows[1], strict=True))
    assert row["answer: What does the partner do?"] == "Tenant union runs workshops"
    assert row["answer: I agree that the city processes the data of this application."] == "Yes"
    assert row["answer: Added later"] == ""


def pdf_text(document) -> str:
    texts = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if hasattr(box, "text"):
                texts.append(box.text)
    return " ".join(texts)


def test_pdf_of_a_version_has_answers_team_and_attachments(client, answered, lead):
    services.attachment_add(proposal=answered, by=lead, upload=SimpleUploadedFile("plan.pdf", PDF))
    services.proposal_submit(proposal=answered, by=lead)
    client.force_login(lead)
    page = client.get(f"/proposals/{answered.pk}/versions/1/").content.decode()
    assert f'href="/proposals/{answered.pk}/versions/1/pdf/"' in page
    response = client.get(f"/proposals/{answered.pk}/versions/1/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store"

    request = RequestFactory().get("/")
    request.user = lead
    version = answered.versions.get(number=1)
    version.shown = version.content | {"team": [dict(m, role_label=m["role"]) for m in version.content["team"]]}
    text = pdf_text(version_pdf_document(request, answered, version, hide_names=False))
    assert "Do you work with a community partner?" in text and "Tenant union runs workshops" in text
    assert lead.display_name in text and "plan.pdf" in text


def test_pdf_permissions(client, answered, lead, city, make_city):
    services.proposal_submit(proposal=answered, by=lead)
    url = f"/proposals/{answered.pk}/versions/1/pdf/"
    assert client.get(url).status_code == 302  # anonymous → sign in
    client.force_login(city[1])
    assert client.get(url).status_code == 200
    _org, foreign = make_city("Linz")
    client.force_login(foreign)
    assert client.get(url).status_code == 404
    other_lead = ResearcherProfileFactory(user__email="other.lead@example.org").user
    other = ProposalFactory(call=answered.call, lead=other_lead)
    submit_for_tests(other)
    client.force_login(other_lead)
    assert client.get(url).status_code == 404
    client.force_login(lead)
    assert client.get(f"/proposals/{answered.pk}/versions/9/pdf/").status_code == 404


# Review questions


def test_reviewers_answer_the_calls_review_questions_and_the_city_reads_them(client, answered, lead, city):
    services.proposal_submit(proposal=answered, by=lead)
    call = with_form(
        answered.call,
        [
            {
                "type": "question",
                "value": {"key": "strengths", "label": "Main strengths", "required": True, "max_words": 5},
            },
            {"type": "question", "value": {"key": "risks", "label": "Main risks", "required": False}},
        ],
        field="review_questions",
    )
    reviewer = ResearcherProfileFactory(user__email="rev@example.org").user
    assignment = review_assign(proposal=answered, reviewer_email=reviewer.email, by=city[1])
    review_declare(assignment=assignment, by=reviewer, has_conflict=False)
    client.force_login(reviewer)
    url = reverse("review_assignment", args=[assignment.pk])
    page = client.get(url)
    assert "Main strengths" in page.content.decode()
    assert "Tenant union runs workshops" in page.content.decode()
    scores = {f"criterion_{c.pk}": "4" for c in call.criteria.all()}
    response = client.post(url, {**scores, "comments": "Fine.", "review-q_strengths": "one two three four five six"})
    assert response.status_code == 400 and "At most 5 words" in response.content.decode()
    assert "one two three four five six" in response.content.decode()
    panel = {"recommendation": "fund", "confidence": "4"}  # issue 18 §4: required beside the scores
    response = client.post(
        url, {**scores, **panel, "comments": "Fine.", "review-q_strengths": "Strong <b>partners</b>"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ReviewAssignment.objects.get(pk=assignment.pk).answers == {"strengths": "Strong <b>partners</b>"}
    client.force_login(city[1])
    html = client.get(f"/proposals/{answered.pk}/").content.decode()
    assert "Main strengths" in html and "Strong &lt;b&gt;partners&lt;/b&gt;" in html


# Reuse


def test_use_as_template_copies_the_forms(open_call, make_city):
    source = with_form(open_call)
    source = with_form(source, [{"type": "question", "value": {"key": "s", "label": "S"}}], field="review_questions")
    source.save_revision().publish()
    organisation, official = make_city("Vienna")
    copy = call_use_as_template(
        source=ResearchCall.objects.get(pk=source.pk),
        city_page=CityPage.objects.get(organisation=organisation),
        by=official,
    )
    copy = ResearchCall.objects.get(pk=copy.pk)
    assert [x.key for x in af.questions_from(copy.application_form.get_prep_value())] == [
        x.key for x in af.questions_from(FORM)
    ]
    assert copy.review_questions.get_prep_value()[0]["value"]["key"] == "s"


# Demo


def test_demo_gives_the_open_call_a_conditional_form_and_a_proposal_answering_it(city):
    call = make_call(city_page=CityPage.objects.get(organisation=city[0]), slug="older-tenants-housing")
    researchers = [ResearcherProfileFactory(user__email=f"r{i}@researchers.example").user for i in range(12)]
    out = io.StringIO()
    demo.seed_application_form(researchers=researchers, stdout=out)
    demo.seed_application_form(researchers=researchers, stdout=out)  # idempotent

    call = ResearchCall.objects.get(pk=call.pk)
    questions = af.questions_from(call.application_form.get_prep_value())
    assert any(x.show_when_key == "community_partner" for x in questions)
    proposal = call.proposals.get()
    version = proposal.versions.get()
    keys = [a["key"] for a in version.content["answers"]]
    assert keys == ["community_partner", "partner_role", "participants", "budget_lines", "data_consent"]
