from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "safetynet.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from safetynet.core import events, hooks
        from safetynet.core.selectors import NOTICE_ROLES
        from safetynet.core.views import identifier_lookup_notices_panel

        events.declare()
        # core's own entries go through the same hooks as every app's (core.hooks).
        hooks.register_menu_item(name="core.home", label=_("Home"), url_name="home", order=0)
        hooks.register_home_panel(name="core.lookup_notices", template="core/_lookup_notices.html",
                                  context=identifier_lookup_notices_panel, roles=NOTICE_ROLES, order=50)
        _register_staff_pages(hooks)
        _register_recurring_jobs()
        _register_casework(hooks)


# Who sees the calendar, campaigns and weather warnings in the menu (all staff may open them): the
# bureaus and offices that keep deadlines and run the winter work.
_CASEWORK_OFFICES = {"city_bureau", "county_bureau", "township_office", "operator"}


def _register_staff_pages(hooks) -> None:
    """The menu entries of the pages that run the system (after every app's: order 900 and up)."""
    from safetynet.core.accounts.rules import is_operator, may_administer_users
    from safetynet.core.audit_reports import may_audit

    hooks.register_menu_item(name="core.users", label=_("Users"), url_name="accounts:user_list",
                             allowed=may_administer_users, order=900)
    hooks.register_menu_item(name="core.calendar", label=_("Working days"), url_name="calendar",
                             allowed=lambda user: user.role in _CASEWORK_OFFICES, order=890)
    hooks.register_menu_item(name="core.campaigns", label=_("Campaigns"), url_name="campaigns",
                             allowed=lambda user: user.role in _CASEWORK_OFFICES, order=880)
    hooks.register_menu_item(name="core.weather", label=_("Weather warnings"), url_name="weather",
                             allowed=lambda user: user.role in _CASEWORK_OFFICES, order=885)
    hooks.register_menu_item(name="core.system", label=_("System"), url_name="system", allowed=is_operator,
                             order=910)
    hooks.register_menu_item(name="core.audit", label=_("Audit"), url_name="audit", allowed=may_audit,
                             order=920)


def _register_recurring_jobs() -> None:
    import datetime

    from safetynet.core import jobs, services

    jobs.register_recurring_job(name="core.clear_sessions", label=_("Remove expired logins"),
                                schedule=jobs.Daily(datetime.time(3, 0)), run=services.sessions_clear_expired)
    from safetynet.core import retention

    jobs.register_recurring_job(name="core.retention_purge", label=_("Remove records past their retention"),
                                schedule=jobs.Daily(datetime.time(2, 30)), run=retention.retention_purge)
    retention.register_retention_kind(code="core.job_runs", label=_("Records of recurring jobs' runs"),
                                      default_days=400, minimum_days=30, purge=retention.job_runs_purge)


def _register_casework(hooks) -> None:
    """The work desk and inbox in the menu; the overdue sweep; provisional deadlines reckoned again
    when a year's calendar is entered."""
    from safetynet.core import jobs
    from safetynet.core.models import Role
    from safetynet.core.workflows import services

    # The operator and auditors read no casework; everyone else has a desk (empty until some work waits).
    def has_desk(user) -> bool:
        return user.role not in {Role.OPERATOR, Role.AUDITOR}

    hooks.register_menu_item(name="core.desk", label=_("Work desk"), url_name="desk", allowed=has_desk,
                             order=5)
    hooks.register_menu_item(name="core.inbox", label=_("Inbox"), url_name="inbox", allowed=has_desk, order=6)
    jobs.register_recurring_job(name="core.overdue_sweep", label=_("Mark overdue cases and escalate them"),
                                schedule=jobs.Every(15), run=services.cases_sweep)
    hooks.register_calendar_listener(name="core.case_deadlines", changed=services.deadlines_reckon_again)
    from safetynet.core import sms
    from safetynet.core.live import publish
    from safetynet.core.workflows import selectors

    for code, label in (("case_opened", _("New work on the desk")),
                        ("case_escalated", _("Overdue case escalated")),
                        ("case_extended", _("Time limit of a case extended"))):
        hooks.register_notice_kind(code=code, label=label, words=selectors.case_notice_words(code),
                                   link=selectors.case_notice_link)

    jobs.register_recurring_job(name="core.live_prune", label=_("Remove old live-update signals"),
                                schedule=jobs.Every(15), run=publish.live_prune)
    # The task queued with each message sends it at once; this sends what a stopped worker left.
    jobs.register_recurring_job(name="core.sms_send", label=_("Send queued text messages"),
                                schedule=jobs.Every(15), run=sms.sms_send_queued)
    hooks.register_menu_item(name="core.sms", label=_("Text messages"), url_name="sms_log",
                             allowed=sms.may_read_sms, order=90)
