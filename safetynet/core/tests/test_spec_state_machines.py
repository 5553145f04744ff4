"""The kernel can express the seven state machines of SPEC §6.4 (低保 application, 低保 in payment,
特困 application, temporary aid, monitoring alert, homeless station, institution hazard): each is
written here as the table its app will declare, and must hold together and draw. The apps that own
them will register their own tables; these show that the kernel's vocabulary (working days,
calendar days, hours, limits counted from an earlier state, steps from any state, loops back,
evidence, reasons) is enough."""

import pytest

from safetynet.core.models import Role
from safetynet.core.workflows import table
from safetynet.core.workflows.chart import state_chart_svg
from safetynet.core.workflows.table import CALENDAR_DAYS, HOURS, Limit, State, Transition, Workflow

T, C, CITY = table.TOWNSHIP, table.COUNTY, table.CITY
TOWNSHIP = table.roles(Role.TOWNSHIP_OFFICE)
COUNTY = table.roles(Role.COUNTY_BUREAU)
FIELD = table.roles(Role.GRID_WORKER, Role.VILLAGE_COORDINATOR)
STATION = table.roles(Role.RESCUE_STATION)
INSPECT = table.roles(Role.INSPECTOR, Role.COUNTY_BUREAU)
STAFF = table.roles(Role.INSTITUTION_STAFF)


def _flow(code, initial, states, moves):
    return Workflow(
        code=code,
        label=code,
        initial=initial,
        states=[
            State(s[0], s[0], office=s[1], limit=s[2] if len(s) > 2 else None, final=len(s) > 3)
            for s in states
        ],
        transitions=[
            Transition(m[0], m[0], tuple(m[1].split()), m[2], roles=m[3], reason_required=len(m) > 4)
            for m in moves
        ],
    )


DIBAO_APPLICATION = _flow(
    "A.dibao_application",
    "submitted",
    [
        ("submitted", T, Limit(3)),
        ("returned", T),
        ("accepted", T, Limit(3)),
        ("investigating", T, Limit(30, since="accepted")),
        ("data_match_requested", C, Limit(3)),
        ("data_matched", T),
        ("notified_ineligible", T),
        ("township_opinion", T, Limit(30, since="accepted")),
        ("public_notice", T, Limit(7, CALENDAR_DAYS)),
        ("reinvestigation", T),
        ("county_review", C, Limit(10)),
        ("approved", None, None, True),
        ("rejected", C, Limit(3)),
        ("rejection_notified", None, None, True),
        ("terminated", None, None, True),
    ],
    [
        ("return", "submitted", "returned", TOWNSHIP, True),
        ("resubmit", "returned", "submitted", TOWNSHIP),
        ("accept", "submitted", "accepted", TOWNSHIP),
        ("start", "accepted", "investigating", TOWNSHIP),
        ("request_match", "investigating", "data_match_requested", TOWNSHIP),
        ("matched", "data_match_requested", "data_matched", COUNTY),
        ("ineligible", "data_matched", "notified_ineligible", TOWNSHIP, True),
        ("object", "notified_ineligible", "investigating", TOWNSHIP, True),
        ("continue", "data_matched", "investigating", TOWNSHIP),
        ("opinion", "investigating", "township_opinion", TOWNSHIP),
        ("publish", "township_opinion", "public_notice", TOWNSHIP),
        ("objection", "public_notice", "reinvestigation", TOWNSHIP, True),
        ("reopinion", "reinvestigation", "township_opinion", TOWNSHIP),
        ("no_objection", "public_notice", "county_review", TOWNSHIP),
        ("approve", "county_review", "approved", COUNTY),
        ("reject", "county_review", "rejected", COUNTY, True),
        ("notify", "rejected", "rejection_notified", COUNTY),
        ("noncooperation", "*", "terminated", COUNTY, True),
    ],
)

DIBAO_PAYMENT = _flow(
    "B.dibao_in_payment",
    "active",
    [
        ("active", C),
        ("review_due", T, Limit(30, CALENDAR_DAYS)),
        ("change_reported", T, Limit(3, CALENDAR_DAYS)),
        ("review", T, Limit(90, CALENDAR_DAYS, since="change_reported")),
        ("phase_out", C, Limit(183, CALENDAR_DAYS)),
        ("suspended", C),
        ("reduced_individual", C),
        ("terminated", None, None, True),
        ("recovery", C),
        ("recovered", None, None, True),
    ],
    [
        ("review_falls_due", "active", "review_due", COUNTY),
        ("reviewed", "review_due review", "active", COUNTY),
        ("suspend", "review_due review", "suspended", COUNTY, True),
        ("resume", "suspended", "active", COUNTY),
        ("report_change", "active", "change_reported", FIELD | TOWNSHIP),
        ("start_review", "change_reported", "review", TOWNSHIP),
        ("phase_out", "active review", "phase_out", COUNTY),
        ("end_phase_out", "phase_out", "terminated", COUNTY),
        ("reduce", "active", "reduced_individual", COUNTY, True),
        ("restore", "reduced_individual", "active", COUNTY),
        ("terminate", "review_due review suspended", "terminated", COUNTY, True),
        ("fraud", "*", "recovery", COUNTY, True),
        ("recovered", "recovery", "recovered", COUNTY),
    ],
)

TEKUN_APPLICATION = _flow(
    "C.tekun_application",
    "submitted",
    [
        ("submitted", T, Limit(3)),
        ("accepted", T, Limit(3)),
        ("investigating", T, Limit(15)),
        ("township_opinion", T),
        ("public_notice", T, Limit(7, CALENDAR_DAYS)),
        ("reinvestigating", T, Limit(15)),
        ("county_review", C, Limit(15)),
        ("approved", C),
        ("rejected", C, Limit(3)),
        ("rejection_notified", None, None, True),
        ("self_care_assessed", C),
        ("centralised", C),
        ("dispersed", C),
        ("reassessing", C, Limit(10)),
        ("termination_notice", C, Limit(7, CALENDAR_DAYS)),
        ("terminated", None, None, True),
    ],
    [
        ("accept", "submitted", "accepted", TOWNSHIP),
        ("start", "accepted", "investigating", TOWNSHIP),
        ("opinion", "investigating", "township_opinion", TOWNSHIP),
        ("publish", "township_opinion", "public_notice", TOWNSHIP),
        ("objection", "public_notice", "reinvestigating", TOWNSHIP, True),
        ("republish", "reinvestigating", "public_notice", TOWNSHIP),
        ("no_objection", "public_notice", "county_review", TOWNSHIP),
        ("approve", "county_review", "approved", COUNTY),
        ("reject", "county_review", "rejected", COUNTY, True),
        ("notify", "rejected", "rejection_notified", COUNTY),
        ("assess", "approved", "self_care_assessed", COUNTY),
        ("centralise", "self_care_assessed", "centralised", COUNTY),
        ("disperse", "self_care_assessed", "dispersed", COUNTY),
        ("ability_changed", "centralised dispersed", "reassessing", TOWNSHIP | COUNTY),
        ("reassessed", "reassessing", "self_care_assessed", COUNTY),
        ("ground_found", "centralised dispersed", "termination_notice", COUNTY, True),
        ("objection_upheld", "termination_notice", "dispersed", COUNTY, True),
        ("terminate", "termination_notice", "terminated", COUNTY),
    ],
)

TEMPORARY_AID = _flow(
    "D.temporary_aid",
    "reported",
    [
        ("reported", T, Limit(24, HOURS)),
        ("first_aid_paid", T, Limit(5, CALENDAR_DAYS)),
        ("paperwork_completed", T),
        ("staged_payments", T),
        ("county_coordination", C, Limit(10)),
        ("closed", None, None, True),
    ],
    [
        ("pay_first", "reported", "first_aid_paid", TOWNSHIP),
        ("complete", "first_aid_paid", "paperwork_completed", TOWNSHIP),
        ("stage", "paperwork_completed", "staged_payments", TOWNSHIP),
        ("above_cap", "reported paperwork_completed", "county_coordination", TOWNSHIP, True),
        ("decided", "county_coordination", "paperwork_completed", COUNTY),
        ("close", "paperwork_completed staged_payments", "closed", TOWNSHIP),
    ],
)

MONITORING_ALERT = _flow(
    "E.monitoring_alert",
    "raised",
    [
        ("raised", C, Limit(1)),
        ("triaged", T, Limit(5)),
        ("verifying", T, Limit(5, since="triaged")),
        ("actioned", T),
        ("closed", None, None, True),
    ],
    [
        ("triage", "raised", "triaged", COUNTY),
        ("visit", "triaged", "verifying", FIELD | TOWNSHIP),
        ("action", "verifying", "actioned", TOWNSHIP),
        ("close", "actioned", "closed", TOWNSHIP),
        ("dismiss", "raised triaged verifying", "closed", COUNTY, True),
    ],
)

STATION_STAY = _flow(
    "F.station_stay",
    "request",
    [
        ("request", CITY, Limit(2, HOURS)),
        ("screening", CITY, Limit(2, HOURS)),
        ("hospital", CITY),
        ("police", None, None, True),
        ("refused", None, None, True),
        ("registered", CITY, Limit(1, HOURS)),
        ("in_station", CITY, Limit(10, CALENDAR_DAYS)),
        ("family_search", CITY, Limit(24, HOURS, since="in_station")),
        ("exited", None, None, True),
    ],
    [
        ("screen", "request", "screening", STATION),
        ("to_hospital", "screening", "hospital", STATION),
        ("discharged", "hospital", "registered", STATION),
        ("to_police", "screening", "police", STATION),
        ("refuse", "screening", "refused", STATION, True),
        ("register", "screening", "registered", STATION),
        ("admit", "registered", "in_station", STATION),
        ("search_family", "in_station", "family_search", STATION),
        ("notice_published", "family_search", "in_station", STATION),
        ("exit", "in_station", "exited", STATION, True),
    ],
)

INSTITUTION_HAZARD = _flow(
    "G.institution_hazard",
    "found",
    [
        ("found", C, Limit(1)),
        ("general", C, Limit(7, CALENDAR_DAYS)),
        ("major_plan", C, Limit(10)),
        ("listed_supervision", CITY, Limit(30, CALENDAR_DAYS)),
        ("rectified", C, Limit(5)),
        ("verified", C),
        ("closed", None, None, True),
    ],
    [
        ("grade_general", "found", "general", INSPECT),
        ("grade_major", "found", "major_plan", INSPECT),
        ("list", "major_plan", "listed_supervision", COUNTY),
        ("rectify", "general listed_supervision", "rectified", STAFF),
        ("reject_fix", "rectified", "general", INSPECT, True),
        ("verify", "rectified", "verified", INSPECT),
        ("close", "verified", "closed", COUNTY),
    ],
)

SEVEN = [
    DIBAO_APPLICATION,
    DIBAO_PAYMENT,
    TEKUN_APPLICATION,
    TEMPORARY_AID,
    MONITORING_ALERT,
    STATION_STAY,
    INSTITUTION_HAZARD,
]


@pytest.mark.parametrize("flow", SEVEN, ids=lambda flow: flow.code)
def test_each_state_machine_of_the_spec_is_a_table_the_kernel_accepts_and_draws(flow):
    svg = state_chart_svg(flow)
    for state in flow.states:
        assert f'data-state="{state.code}"' in svg
    finals = [s for s in flow.states if s.final]
    assert finals and all(not flow.moves_from(s.code) for s in finals)


def test_the_statutory_limits_are_there_in_their_units():
    assert DIBAO_APPLICATION.state("public_notice").limit == Limit(7, CALENDAR_DAYS)
    assert DIBAO_APPLICATION.state("county_review").limit == Limit(10)
    assert DIBAO_APPLICATION.state("township_opinion").limit.since == "accepted"
    assert TEMPORARY_AID.state("reported").limit == Limit(24, HOURS)
    assert STATION_STAY.state("family_search").limit.since == "in_station"
    # A step from any state (terminating for non-cooperation) is an exception: it leaves every
    # non-final state but puts no case on the county's desk.
    assert "submitted" not in DIBAO_APPLICATION.states_acted_on_by(Role.COUNTY_BUREAU)
    assert "county_review" in DIBAO_APPLICATION.states_acted_on_by(Role.COUNTY_BUREAU)
