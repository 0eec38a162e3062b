"""Demo method pages for the main research methods, with guidance, steps, ethics and a tool each.

Published under /methods/ and linked to their vocabulary entries. Idempotent: a method page
that exists (by slug) is left as it is. The guidance is a summary for the demo; the tools link
to the public sources it draws on.
"""

import random

from django.utils.html import escape

from hub.models import Method
from projects.models import MethodPage, MethodsIndexPage, MethodTool

DEMO = "Demo content: a short guide written for the Bridges demo."

# slug of the vocabulary entry, page title, summary, what it is, when to use, steps, ethics, (tool title, url, note)
METHODS = [
    (
        "community-needs-assessment",
        "Community-based needs assessment",
        "Find out, with the people concerned, which rights are not realised in a neighbourhood or group, "
        "and what resources already exist to change that.",
        [
            "A community-based needs assessment maps what people lack to enjoy their rights (housing, health "
            "care, water, education, participation) and what they already have: services, networks, skills, "
            "places. It combines existing data with what residents themselves report.",
            "It is 'community-based' because residents and their organisations help decide what to ask, take "
            "part in collecting information and check the conclusions. The result is a shared picture that a "
            "city can plan and budget with, and that residents recognise as theirs.",
        ],
        [
            "Before a city designs a new policy or service, when it wants to know who is left behind, or when "
            "official data say little about a group (people without a registered address, undocumented "
            "migrants, older people living alone).",
        ],
        [
            (
                "Agree the scope with the community",
                "Which area, which groups, which rights. Invite residents' "
                "organisations and civil society to a first meeting and write the questions down together.",
            ),
            (
                "Review what is already known",
                "Statistics, service records, earlier studies and complaints "
                "received by the ombudsperson. Note the gaps: groups and rights without data.",
            ),
            (
                "Collect new information",
                "Short surveys, group discussions and walks through the area, with "
                "resident co-researchers where possible.",
            ),
            (
                "Make sense of it together",
                "Present first findings back to participants and ask what is "
                "missing or wrong before writing conclusions.",
            ),
            (
                "Turn needs into priorities",
                "Rank needs by severity and by how many people they affect, and "
                "name the resources that can address each.",
            ),
        ],
        [
            "Ask only what you need, and explain how the answers will be used. Obtain informed consent and "
            "let people take part without giving their name.",
            "Pay or otherwise compensate resident co-researchers for their time, and make meetings accessible "
            "(times, places, languages, sign language, childcare).",
        ],
        (
            "Community Tool Box: assessing community needs and resources",
            "https://ctb.ku.edu/en/assessing-community-needs-and-resources",
            "Step-by-step chapters and checklists from the University of Kansas.",
        ),
    ),
    (
        "participatory-action-research",
        "Participatory action research",
        "Researchers and the people affected investigate a problem together and act on what they learn, "
        "in repeated cycles of inquiry and action.",
        [
            "Participatory action research (PAR) treats the people affected by a problem as co-researchers, "
            "not as subjects. Together with academic researchers they decide the questions, gather and analyse "
            "evidence, and use it to bring about change.",
            "The research moves in cycles: plan, act, observe, reflect, then plan again. Each cycle produces "
            "knowledge and a concrete step, for example a proposal to the city council or a change in how a "
            "service treats its users.",
            "For human-rights work PAR has a particular value: participation in decisions that affect one's "
            "life is itself a right, and the method builds the capacity of rights-holders to claim their rights.",
        ],
        [
            "When the people affected hold knowledge that outsiders lack, when trust in institutions is low, "
            "or when the aim is change as well as understanding. It needs time: plan for several months.",
        ],
        [
            (
                "Form a research group",
                "Bring together residents, civil-society partners, researchers and a "
                "contact person in the city administration. Agree roles and how decisions are made.",
            ),
            (
                "Define the question together",
                "Start from the experiences of the people affected and translate "
                "them into questions research can answer.",
            ),
            ("Investigate", "Use methods the group can carry out: interviews, photovoice, mapping, small surveys."),
            (
                "Act and reflect",
                "Take the findings to the people who can act on them, observe what happens and "
                "discuss it in the group.",
            ),
            ("Share the results", "Publish in forms the community can use, as well as academic ones."),
        ],
        [
            "Power differences do not disappear because a project is called participatory. Make them "
            "visible, share budget decisions, and credit co-researchers as authors.",
            "Protect participants who speak out against authorities they depend on: agree what is published "
            "under whose name, and have a plan if someone faces retaliation.",
        ],
        (
            "Participatory Methods (Institute of Development Studies)",
            "https://www.participatorymethods.org/",
            "A library of participatory research methods with guides and case examples.",
        ),
    ),
    (
        "human-rights-indicators",
        "Human-rights indicators",
        "Measure a city's progress on a right with structural, process and outcome indicators, following "
        "the OHCHR framework.",
        [
            "The OHCHR framework describes each right with three kinds of indicators. Structural indicators "
            "record commitments (a law, a policy, a human-rights city declaration). Process indicators measure "
            "efforts (budget spent, people reached by a programme). Outcome indicators measure results in "
            "people's lives (share of households in overcrowded housing).",
            "Good indicators are disaggregated by sex, age, disability, origin and other grounds, so that "
            "inequalities become visible, and they are linked to the SDG indicators cities already report on.",
        ],
        [
            "When a city wants to monitor a right over time, compare itself with other cities, or show the "
            "effect of a policy. Start with a few indicators for which data exist and add others.",
        ],
        [
            (
                "Choose the right and its attributes",
                "Break the right down into a few attributes, e.g. "
                "for housing: habitability, accessibility, affordability, security of tenure.",
            ),
            (
                "Select indicators per attribute",
                "At least one structural, one process and one outcome "
                "indicator each; reuse OHCHR and SDG indicators where possible.",
            ),
            ("Find or collect the data", "Note the source, period and disaggregations for each indicator."),
            (
                "Publish and review",
                "Publish the values with their metadata and review the set with civil society once a year.",
            ),
        ],
        [
            "Indicators about small groups can identify individuals. Suppress small cells and never publish "
            "records about individual people.",
        ],
        (
            "OHCHR: Human Rights Indicators, a guide to measurement and implementation",
            "https://www.ohchr.org/en/publications/policy-and-methodological-publications/"
            "human-rights-indicators-guide-measurement-and",
            "The reference guide, with illustrative indicator tables for many rights.",
        ),
    ),
    (
        "hria",
        "Human-rights impact assessment",
        "Assess, before a decision is taken, how a policy, project or budget change will affect people's "
        "rights, and what to change to prevent harm.",
        [
            "A human-rights impact assessment (HRIA) looks ahead: what will this plan do to the rights of the "
            "people it touches? It identifies who may be affected, how severely, and what can prevent, "
            "mitigate or remedy harm.",
            "Unlike a general impact assessment, it uses human-rights standards as its yardstick and pays "
            "attention to groups at risk of discrimination, and it involves the people affected in the "
            "assessment itself.",
        ],
        [
            "Before large urban projects (redevelopment, evictions, new transport lines), before changes to "
            "social benefits or services, and when introducing technologies such as surveillance cameras or "
            "automated decision-making.",
        ],
        [
            (
                "Screen and scope",
                "Describe the plan, the area and the people it may affect; decide how deep the assessment must go.",
            ),
            ("Gather evidence", "Existing data, interviews and consultations with rights-holders and duty-bearers."),
            ("Assess impacts", "For each right and group: what impact, how likely, how severe, how reversible."),
            (
                "Recommend and follow up",
                "Propose changes and safeguards, and agree how the city will report "
                "on what it did with the recommendations.",
            ),
        ],
        [
            "Consult the people affected early enough that their views can still change the plan, and tell "
            "them what happened to their input.",
        ],
        (
            "Danish Institute for Human Rights: HRIA guidance and toolbox",
            "https://www.humanrights.dk/tools/human-rights-impact-assessment-guidance-toolbox",
            "Guidance, templates and practical tools for each phase of an assessment.",
        ),
    ),
    (
        "hrba-data",
        "Human-rights-based approach to data",
        "Collect, analyse and publish data in ways that respect participation, disaggregation, "
        "self-identification, transparency, privacy and accountability.",
        [
            "The human-rights-based approach to data (HRBAD) sets out six principles for anyone producing "
            "statistics: participation of the groups concerned, data disaggregation, self-identification, "
            "transparency, privacy, and accountability.",
            "For cities it is a checklist for every survey and administrative data source: who decided what "
            "to count, can people describe themselves in their own terms, is the data broken down enough to "
            "show who is left behind, and is it protected and published responsibly.",
        ],
        [
            "When planning any data collection about residents, when publishing local statistics, and when "
            "filling data gaps about groups that are invisible in official figures.",
        ],
        [
            ("Involve the groups concerned", "Discuss categories, questions and uses of the data with them."),
            ("Disaggregate", "Plan the breakdowns (sex, age, disability, origin, income) before collecting."),
            ("Let people self-identify", "Use open or self-chosen categories and always allow 'prefer not to say'."),
            ("Protect and publish", "Minimise personal data, suppress small cells, and publish methods and results."),
        ],
        [
            "Data about ethnicity, migration status, sexual orientation or health can harm people if misused: "
            "collect it only with consent, for a clear purpose, and never publish it at individual level.",
        ],
        (
            "OHCHR: A human rights-based approach to data",
            "https://www.ohchr.org/en/documents/tools-and-resources/human-rights-based-approach-data-leaving-no-one-behind-2030",
            "The guidance note on the six principles.",
        ),
    ),
    (
        "survey",
        "Survey",
        "Ask a sample of people the same questions to measure how common an experience, need or opinion "
        "is in a population.",
        [
            "A survey gives numbers: how many older tenants live in damp housing, how many young people have "
            "experienced discrimination when looking for work. With a good sample, results can be generalised "
            "to the whole population.",
            "Surveys are only as good as their questions and their sample. Test questions with people from the "
            "groups concerned, translate them carefully, and reach people who rarely answer surveys.",
        ],
        [
            "When you need to know how widespread something is, to compare groups or areas, or to set a "
            "baseline for an indicator. Combine with interviews or focus groups to understand why.",
        ],
        [
            ("Define what you need to measure", "Start from the indicators or questions the city must answer."),
            ("Draft and test questions", "Reuse tested questions where possible; pilot with 10–20 people."),
            ("Draw the sample", "Plan how to reach groups at risk (oversampling, outreach, several languages)."),
            ("Collect, clean and weight", "Document every step so others can reuse the data."),
            ("Publish", "Publish aggregated tables with small cells suppressed, and the questionnaire."),
        ],
        [
            "Participation is voluntary and answers are confidential. Store names and contact details "
            "separately from answers and delete them when no longer needed.",
        ],
        (
            "Community Tool Box: conducting surveys",
            "https://ctb.ku.edu/en/table-of-contents/assessment/assessing-community-needs-and-resources/conduct-surveys/main",
            "How to design, run and analyse a community survey.",
        ),
    ),
    (
        "focus-groups",
        "Focus groups",
        "Guided discussions with small groups of people who share an experience, to understand how and "
        "why a problem affects them.",
        [
            "A focus group brings together six to ten people for one to two hours to discuss a few questions "
            "with a moderator. The exchange between participants brings out experiences, reasons and ideas "
            "that individual interviews may miss.",
            "Focus groups explain numbers: why eligible families do not claim a benefit, what makes a public "
            "space feel unsafe, what a good service would look like.",
        ],
        [
            "To explore a topic before designing a survey, to understand survey results, or to test proposals "
            "with the people who will be affected by them.",
        ],
        [
            (
                "Decide who takes part",
                "Group people with a shared experience; separate groups where power "
                "differences would silence some participants.",
            ),
            ("Prepare a discussion guide", "Five to eight open questions, from general to specific."),
            ("Run the group", "A moderator and a note-taker; record only with consent."),
            ("Analyse", "Code the notes or transcripts for themes and compare across groups."),
        ],
        [
            "What is said in the group stays in the group: agree this rule at the start, but be honest that "
            "you cannot guarantee it. Offer individual interviews for sensitive topics.",
        ],
        (
            "Community Tool Box: conducting focus groups",
            "https://ctb.ku.edu/en/table-of-contents/assessment/assessing-community-needs-and-resources/conduct-focus-groups/main",
            "Planning, moderating and analysing focus groups.",
        ),
    ),
    (
        "budget-analysis",
        "Budget analysis",
        "Examine how a city raises and spends money to see whether it uses the maximum available resources "
        "to realise rights, without discrimination.",
        [
            "Human-rights budget analysis reads the budget as a statement of priorities. It asks how much is "
            "allocated to realising a right, whether that amount rises or falls, whether it is actually spent, "
            "and who benefits.",
            "Comparing allocations with needs (from an assessment or indicators) shows gaps; comparing "
            "allocations with actual spending shows implementation problems.",
        ],
        [
            "During the annual budget cycle, when evaluating a programme, or when civil society asks whether "
            "a commitment (a housing plan, a human-rights city declaration) is backed by money.",
        ],
        [
            ("Get the documents", "Adopted budget, amendments and spending reports for several years."),
            ("Select the budget lines", "Identify lines that matter for the right in question."),
            ("Analyse trends and shares", "Real terms, per person, and as share of the total budget."),
            ("Check distribution", "Who benefits, by area and group, where data allow."),
        ],
        [
            "Present findings fairly, with the limits of the data, and give the city a chance to comment "
            "before publication.",
        ],
        (
            "OHCHR: Realizing human rights through government budgets",
            "https://www.ohchr.org/en/publications/special-issue-publications/realizing-human-rights-through-government-budgets",
            "How human-rights obligations apply to budgets, with analysis techniques.",
        ),
    ),
]


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


def seed(*, rng: random.Random, stdout) -> None:
    index = MethodsIndexPage.objects.first()
    if index is None:
        stdout.write("Demo methods: skipped (no /methods/ page; run migrate first).")
        return
    created = 0
    for slug, title, summary, what, when, steps, ethics, (tool_title, tool_url, tool_note) in METHODS:
        page_slug = slug if slug not in ("hria", "hrba-data") else title.lower().replace(" ", "-")
        if MethodPage.objects.filter(slug=page_slug).exists():
            continue
        method = Method.objects.filter(slug=slug).first()
        if method is not None and MethodPage.objects.filter(method=method).exists():
            continue
        page = MethodPage(
            title=title,
            slug=page_slug,
            method=method,
            summary=summary,
            what_it_is=_paragraphs([*what, DEMO]),
            when_to_use=_paragraphs(when),
            steps=[("step", {"title": t, "description": _paragraphs([d])}) for t, d in steps],
            ethics=_paragraphs(ethics),
        )
        page.tools.add(MethodTool(kind=MethodTool.Kind.GUIDE, title=tool_title, url=tool_url, description=tool_note))
        index.add_child(instance=page)
        page.save_revision().publish()
        created += 1
    stdout.write(f"Demo methods: {created} method pages published.")
