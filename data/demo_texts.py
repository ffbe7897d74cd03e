"""Text of the demo governance data: engagement topics, "you said, we did", inspection findings, actions."""

from __future__ import annotations

# (forum, events per year, participants low, participants high)
FORUMS = (
    ("survivor_network", 12, 6, 20),
    ("victim_reference_group", 6, 5, 12),
    ("scrutiny_panel", 4, 4, 8),
    ("consultation", 4, 10, 40),
    ("training_codelivery", 3, 3, 8),
)

# (topic, portfolio)
TOPICS = (
    ("Being kept informed about the investigation", "victim_care"),
    ("Experience of giving evidence at court", "witness_care"),
    ("Special measures: what survivors want to know", "special_measures"),
    ("Domestic abuse: first response and safety planning", "vawg_da"),
    ("Rape and serious sexual offences: the investigation journey", "rasso"),
    ("Reporting hate crime and feeling believed", "hate_crime"),
    ("Connect Gwent: access and waiting times", "connect_gwent"),
    ("Welsh language services for victims", "victims_first"),
    ("Victim Personal Statements", "vcop"),
    ("Review of victim letters and leaflets", "vcop"),
    ("Police, Crime and Justice Plan: putting victims first", "victims_first"),
    ("Co-delivering officer training on trauma-informed practice", "victim_care"),
    ("Inspection recommendations: survivor scrutiny", "inspection"),
    ("How we feed back what changed", "survivor_voice"),
)

# portfolio -> ((theme, you said, we did, why not), ...); no personal data, only the substance of the feedback.
FEEDBACK = {
    "victim_care": (
        (
            "Updates",
            "Updates stop once a suspect is released; survivors want to hear about bail and conditions the same day.",
            "Officers now get a same-day prompt to update the victim when bail or release under investigation is set.",
            "Release decisions are recorded by custody and cannot be pushed to officers automatically yet.",
        ),
        (
            "First contact",
            "The first call from the Victim Care Unit came at a bad time and there was no option to choose when.",
            "The Victim Care Unit now offers a call-back slot chosen by the victim, including evenings.",
            "Evening cover is not funded this year; the request is in the next budget bid.",
        ),
    ),
    "witness_care": (
        (
            "Court information",
            "Witnesses were not told the trial had moved until they arrived at court.",
            "Witness Care officers now call, not only write, whenever a listing changes within seven days of trial.",
            "Listing changes come from HMCTS late; we raised it at the Local Criminal Justice Board.",
        ),
    ),
    "special_measures": (
        (
            "Special measures",
            "Nobody explained what a live link or screens would look like on the day.",
            "A short bilingual video of the live-link room and screens is now sent with the special measures leaflet.",
            "Court buildings do not allow filming; a photo guide is being considered instead.",
        ),
    ),
    "vawg_da": (
        (
            "Safety planning",
            "Survivors want the officer to explain what happens after an arrest before they leave the house.",
            "The domestic abuse attendance checklist now includes explaining next steps before officers leave.",
            "The checklist is national and cannot be changed locally; local guidance has been issued instead.",
        ),
        (
            "Withdrawing support",
            "Survivors who withdrew from a prosecution felt nobody checked on them afterwards.",
            "IDVAs now offer a follow-up call to every victim who withdraws support for a prosecution.",
            "Follow-up is offered through Connect Gwent rather than by officers.",
        ),
    ),
    "rasso": (
        (
            "Investigation length",
            "The wait for a charging decision felt endless with no milestones shared.",
            "RASSO victims now receive a written timeline of the investigation stages at the first ISVA meeting.",
            "Timelines depend on CPS decisions outside police control; we shared average durations instead.",
        ),
    ),
    "hate_crime": (
        (
            "Being believed",
            "Hate crime victims felt the hate element was not recorded when they reported online.",
            "The online reporting form now asks directly whether the victim thinks the crime was motivated by hate.",
            "The online form is provided nationally; we asked the supplier to add the question.",
        ),
    ),
    "connect_gwent": (
        (
            "Waiting times",
            "Survivors waited too long for the first call from the support hub after being referred.",
            "Connect Gwent added a triage shift so that every referral is contacted within two working days.",
            "Staffing is set by the commissioned contract; the OPCC is reviewing it at renewal.",
        ),
    ),
    "victims_first": (
        (
            "Welsh language",
            "Welsh speakers were offered Welsh at first but later letters arrived in English only.",
            "Letters now follow the language preference recorded at first contact for the whole case.",
            "Some court letters come from HMCTS systems that do not hold the preference.",
        ),
    ),
    "vcop": (
        (
            "Victim Personal Statement",
            "Victims did not know they could update their Victim Personal Statement before sentencing.",
            "Witness Care now reminds victims they can update their statement when a sentencing date is set.",
            "The reminder is already in the national leaflet; officers were briefed again.",
        ),
        (
            "Letters",
            "Letters were full of jargon and did not say who to call.",
            "Victim letters were rewritten with the Survivor Network in plain English and Welsh with a named contact.",
            "Some letter templates are owned by the CPS; we passed on the feedback.",
        ),
    ),
    "survivor_voice": (
        (
            "Feedback loop",
            "Members did not hear what happened to points raised at earlier meetings.",
            "Every meeting now opens with a 'you said, we did' update on the previous meeting's points.",
            "Not applicable.",
        ),
    ),
    "inspection": (
        (
            "Scrutiny",
            "Survivors want to see the evidence behind inspection action plans, not just a status.",
            "The Survivor Network now reviews the evidence for each closed inspection recommendation.",
            "Some evidence contains case details that cannot be shared outside the force.",
        ),
    ),
}

# (source pattern, months before as-of it was published, ((kind, reference, text, portfolio, owner), ...))
# {y} is the publication year; {y0}/{y1} bracket it for PEEL's two-year cycle.
REPORTS = (
    (
        "HMICFRS PEEL {y0}-{y1}",
        26,
        (
            (
                "area_for_improvement",
                "AFI 1",
                "The force should make sure victims receive updates about their "
                "investigation in line with the Victims' Code.",
                "victim_care",
                "Head of Victim Services",
            ),
            (
                "area_for_improvement",
                "AFI 2",
                "The force should improve how it records the needs assessment of "
                "victims and the referral to support services.",
                "victim_care",
                "Victim Care Unit Manager",
            ),
            (
                "area_for_improvement",
                "AFI 3",
                "The force should make sure officers offer victims the opportunity "
                "to make a Victim Personal Statement and record that they did.",
                "vcop",
                "Head of Victim Services",
            ),
            (
                "area_for_improvement",
                "AFI 4",
                "The force should make sure it records the ethnicity of victims so "
                "that it can understand differences in their experience.",
                "victims_first",
                "Head of Performance",
            ),
            (
                "recommendation",
                "Rec 1",
                "Within six months the force should make sure that victims of domestic "
                "abuse who withdraw support are offered safeguarding and support.",
                "vawg_da",
                "lead.da",
            ),
            (
                "area_for_improvement",
                "AFI 5",
                "The force should improve the timeliness of investigations into "
                "rape and serious sexual offences and keep victims informed.",
                "rasso",
                "Detective Superintendent, PPU",
            ),
            (
                "cause_of_concern",
                "CoC 1",
                "The force is not consistently complying with the Victims' Code; it "
                "does not have effective oversight of compliance.",
                "vcop",
                "Assistant Chief Constable",
            ),
            (
                "area_for_improvement",
                "AFI 6",
                "The force should make sure its hate crime investigations are "
                "supervised and victims are referred to specialist support.",
                "hate_crime",
                "Hate Crime Lead",
            ),
        ),
    ),
    (
        "HMICFRS Joint inspection of victims' experience {y}",
        22,
        (
            (
                "recommendation",
                "Rec 1",
                "Police forces and the CPS should make sure victims are told promptly "
                "about charging decisions and the reasons for them.",
                "vcop",
                "Head of Victim Services",
            ),
            (
                "recommendation",
                "Rec 2",
                "Witness Care Units should complete a full needs assessment for every "
                "victim and witness when a not guilty plea is entered.",
                "witness_care",
                "lead.wcu",
            ),
            (
                "recommendation",
                "Rec 3",
                "Forces should make sure special measures are discussed with eligible "
                "victims early and applications are quality assured.",
                "special_measures",
                "lead.wcu",
            ),
            (
                "area_for_improvement",
                "AFI 1",
                "Forces should monitor the proportion of trials that are ineffective "
                "because a prosecution witness did not attend.",
                "witness_care",
                "Witness Care Unit Manager",
            ),
            (
                "area_for_improvement",
                "AFI 2",
                "Forces should provide information to victims in their preferred "
                "language, including Welsh, throughout the case.",
                "victims_first",
                "Welsh Language Officer",
            ),
            (
                "cause_of_concern",
                "CoC 1",
                "Too often compliance with the Victims' Code is treated as a tick-box "
                "exercise rather than meeting the victim's needs.",
                "victims_first",
                "Head of Victim Services",
            ),
        ),
    ),
    (
        "HMICFRS Police response to violence against women and girls {y}",
        14,
        (
            (
                "recommendation",
                "Rec 1",
                "Forces should make sure victims of domestic abuse are referred to "
                "specialist support within the Code's timescales.",
                "vawg_da",
                "lead.da",
            ),
            (
                "recommendation",
                "Rec 2",
                "Forces should work with commissioned services so that victims are contacted quickly after referral.",
                "connect_gwent",
                "Connect Gwent Contract Manager (OPCC)",
            ),
            (
                "area_for_improvement",
                "AFI 1",
                "Forces should use the survivor voice to shape their response to violence against women and girls.",
                "survivor_voice",
                "Survivor Engagement Co-ordinator",
            ),
            (
                "area_for_improvement",
                "AFI 2",
                "Forces should make sure RASSO victims are offered an ISVA and that the offer is recorded.",
                "rasso",
                "Detective Superintendent, PPU",
            ),
            (
                "area_for_improvement",
                "AFI 3",
                "Forces should improve the timeliness of updates to victims in public protection investigations.",
                "vawg_da",
                "lead.da",
            ),
        ),
    ),
    (
        "HMICFRS Hate crime inspection {y}",
        30,
        (
            (
                "recommendation",
                "Rec 1",
                "Forces should make sure hate crime victims receive an enhanced service and are told about it.",
                "hate_crime",
                "Hate Crime Lead",
            ),
            (
                "area_for_improvement",
                "AFI 1",
                "Forces should understand why satisfaction is lower among victims "
                "from minority ethnic groups and act on it.",
                "hate_crime",
                "Hate Crime Lead",
            ),
            (
                "area_for_improvement",
                "AFI 2",
                "Forces should make sure the hate crime flag is applied consistently.",
                "hate_crime",
                "Head of Performance",
            ),
        ),
    ),
    (
        "Internal audit: Victims' Code compliance {y}",
        8,
        (
            (
                "recommendation",
                "R1",
                "The Victims Board should receive a monthly compliance report with "
                "statistical process control charts by unit.",
                "inspection",
                "Head of Performance",
            ),
            (
                "recommendation",
                "R2",
                "Victim Contact Scheme referrals after sentences of 12 months or more should be checked weekly.",
                "witness_care",
                "Witness Care Unit Manager",
            ),
            (
                "area_for_improvement",
                "R3",
                "Action plan owners should attach evidence before an action is marked complete.",
                "inspection",
                "Head of Victim Services",
            ),
        ),
    ),
)

# (metric id, portfolio, owner, title)
METRIC_ACTIONS = (
    ("VCOP_R6_SUSPECT_UPDATE", "vawg_da", "lead.da", "Recover timely suspect updates in the Public Protection Unit"),
    ("VCOP_R6_DECISION_UPDATE", "vawg_da", "lead.da", "Daily review of outcome updates owed to victims in PPU"),
    ("SAT_GAP_ETHNICITY", "hate_crime", "Hate Crime Lead", "Understand and close the ethnicity satisfaction gap"),
    ("WL_CY_DELIVERED_IN_CY", "victims_first", "Welsh Language Officer", "Welsh-language letters and call-backs"),
    ("CG_CONTACT_2WD", "connect_gwent", "Connect Gwent Contract Manager (OPCC)", "Triage shift for first contact"),
    ("WCU_INEFFECTIVE_WITNESS", "witness_care", "lead.wcu", "Reduce trials lost to witness non-attendance"),
    ("SM_TIMELY", "special_measures", "lead.wcu", "Apply for special measures at least 28 days before trial"),
    ("SM_QA", "special_measures", "Special Measures Advisor", "Quality-assure every special measures application"),
    ("VCOP_R4_REFERRAL", "victim_care", "Victim Care Unit Manager", "Refer to support within two working days"),
    ("VCOP_R7_VPS_OFFERED", "vcop", "Head of Victim Services", "Record the VPS offer when the statement is taken"),
    ("ATT_VICTIM_DECLINED", "vawg_da", "lead.da", "Support victims who withdraw from domestic abuse prosecutions"),
    ("SE_FED_BACK", "survivor_voice", "Survivor Engagement Co-ordinator", "Feed back every decision within 30 days"),
    ("VCOP_R11_VCS_REFERRAL", "witness_care", "Witness Care Unit Manager", "Weekly check of Victim Contact Scheme"),
    ("WCU_NEEDS_ASSESSMENT", "witness_care", "lead.wcu", "Full needs assessment on every not guilty plea"),
)

BOARD_ACTIONS = (
    ("Victims Board: agree the compliance reporting cycle", "inspection", "Head of Performance"),
    ("Victims Board: commission a review of victim letters", "vcop", "Head of Victim Services"),
    ("Victims Board: prepare for the Victims and Prisoners Act duties", "vcop", "Assistant Chief Constable"),
)
