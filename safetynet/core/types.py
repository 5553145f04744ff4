"""What other apps may name from core's models: the classes, for annotations and isinstance checks,
and the code tables (choices). `safetynet.core.models` itself is imported by core alone (an
import-linter contract); querying or writing core's tables is the job of core's selectors and
services, and `core/tests/test_layers.py` finds any other app reaching for a manager of these."""

from safetynet.core.models import (
    ROLE_LEVELS,
    CalendarYear,
    Campaign,
    Case,
    ChangeRecord,
    Division,
    DivisionLevel,
    Evidence,
    Grant,
    IdentifierLookup,
    Role,
    UrbanRural,
    User,
    WeatherWarning,
)

ChangeAction = ChangeRecord.Action
LookupOutcome = IdentifierLookup.Outcome
CalendarSource = CalendarYear.Source
CampaignKind = Campaign.Kind
CaseLevel = Case.Level
EvidenceKind = Evidence.Kind
WeatherKind = WeatherWarning.Kind
WeatherLevel = WeatherWarning.Level
WeatherSource = WeatherWarning.Source

__all__ = [
    "ROLE_LEVELS",
    "CalendarSource",
    "Campaign",
    "CampaignKind",
    "Case",
    "CaseLevel",
    "ChangeAction",
    "ChangeRecord",
    "Division",
    "DivisionLevel",
    "Evidence",
    "EvidenceKind",
    "Grant",
    "IdentifierLookup",
    "LookupOutcome",
    "Role",
    "UrbanRural",
    "User",
    "WeatherKind",
    "WeatherLevel",
    "WeatherSource",
    "WeatherWarning",
]
