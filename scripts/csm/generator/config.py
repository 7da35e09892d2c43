"""Scales and the documented rates the generator plants (one place for every tunable)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScaleConfig:
    """Size of one synthetic company.

    `events_per_user_month` is the mean number of product events an active user adds on
    top of the one that makes them active, for an account of average health; it sets the
    size of product_events (the only event-scale table).
    """

    name: str
    n_accounts: int
    events_per_user_month: float


SCALES: dict[str, ScaleConfig] = {
    "tiny": ScaleConfig("tiny", 60, 0.9),
    "small": ScaleConfig("small", 600, 0.9),
    "medium": ScaleConfig("medium", 5_000, 1.1),
    "large": ScaleConfig("large", 20_000, 1.8),
}

# --- population -------------------------------------------------------------------------
SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_SHARES = (0.60, 0.28, 0.12)
EMPLOYEE_BANDS = ((1, 199), (200, 999), (1_000, 60_000))
INDUSTRIES = (
    "technology",
    "healthcare",
    "financial services",
    "manufacturing",
    "retail",
    "education",
    "other",
)
INDUSTRY_SHARES = (0.30, 0.13, 0.14, 0.13, 0.11, 0.08, 0.11)
REGIONS = ("na", "emea", "apac", "latam")
REGION_SHARES = (0.48, 0.30, 0.14, 0.08)
PRE_WINDOW_SHARE = 0.40  # paying when the window opens (first paid in the 24 months before)
PROSPECT_SHARE = 0.04  # CRM accounts that never pay
PRE_WINDOW_MONTHS = 24
ACCOUNTS_PER_CSM = 40
ACCOUNTS_PER_AGENT = 50
MIN_CSMS = 3
MIN_AGENTS = 4

# --- plans and prices ---------------------------------------------------------------------
PLANS = ("starter", "growth", "enterprise", "addon_analytics", "addon_security")
CORE_PLANS = 3
ADDONS = (3, 4)  # plan indices of the add-ons
PRICE_PER_SEAT_CENTS = (2_500, 4_500, 8_000, 800, 600)
ANNUAL_DISCOUNT = 0.15
PLAN_MIX = ((0.60, 0.35, 0.05), (0.20, 0.60, 0.20), (0.05, 0.35, 0.60))  # by segment
SEATS_MEDIAN = (10, 65, 260)
SEATS_RANGE = ((3, 40), (20, 150), (100, 800))
ANNUAL_SHARE = (0.25, 0.55, 0.80)
USERS_PER_SEAT = (0.80, 1.00)  # provisioned users per seat (uniform per account)

# --- hidden health ------------------------------------------------------------------------
HEALTH_MEAN_BETA = (6.0, 3.6)  # long-run health of an account ~ Beta
HEALTH_REVERSION = 0.15
HEALTH_VOLATILITY = (0.03, 0.08)
SHOCK_RATE = 0.025  # champion leaves, reorganisation
SHOCK_SIZE = (0.20, 0.45)
BOOST_RATE = 0.012
BOOST_SIZE = (0.10, 0.25)
# voluntary churn is preceded by disengagement: health multipliers for the churn month
# and the two months before it
DISENGAGEMENT = (0.55, 0.72, 0.86)

# --- lifecycle ----------------------------------------------------------------------------
# monthly churn hazard at average health, by segment; scaled by a decreasing function of
# health (logistic, voluntary steeper than involuntary)
CHURN_VOLUNTARY = (0.023, 0.0122, 0.0053)
CHURN_INVOLUNTARY = (0.013, 0.0068, 0.0028)
REACTIVATION_RATE = 0.025  # per month, 3 to 18 months after churn
REACTIVATION_MONTHS = (3, 18)
SEAT_UP_RATE = 0.050
SEAT_DOWN_RATE = 0.022
UPGRADE_RATE = 0.013
DOWNGRADE_RATE = 0.003
ADDON_ADOPT_RATE = 0.010
ADDON_CANCEL_RATE = 0.022

# --- product usage --------------------------------------------------------------------------
EVENT_TYPES = ("session_start", "feature_used", "api_call", "report_exported", "integration_sync")
EVENT_TYPE_WEIGHTS = (0.24, 0.50, 0.12, 0.09, 0.05)
EVENT_TYPE_MIN_PLAN = (0, 0, 1, 0, 1)  # api and integrations need growth
LATE_EVENT_RATE = 0.01
USER_TURNOVER = 0.008  # share of active users deactivated (and replaced) per month

# --- support ------------------------------------------------------------------------------
TICKETS_PER_ACCOUNT_MONTH = (0.48, 0.95, 1.6)  # by segment, at average health
PRIORITIES = ("critical", "high", "medium", "low")
PRIORITY_SHARES = (0.05, 0.20, 0.45, 0.30)
SLA_LIMIT_HOURS = (4.0, 24.0, 72.0, 168.0)
RESOLUTION_MEDIAN_HOURS = (1.15, 6.0, 17.0, 38.0)
RESOLUTION_SIGMA = (0.6, 0.66, 0.68, 0.75)
CATEGORIES = ("technical", "billing", "product", "general")
CATEGORY_SHARES = (0.40, 0.15, 0.25, 0.20)
SINGLE_CONTACT = (0.76, 0.90, 0.80, 0.86)  # P(customer_contacts = 1) by category
ESCALATION = (0.12, 0.02, 0.08, 0.03)
REOPEN = (0.06, 0.03, 0.05, 0.04)
CHANNELS = ("email", "chat", "phone", "web")
CHANNEL_SHARES = (0.40, 0.30, 0.10, 0.20)
HANDLE_TIME_MEDIAN_SECONDS = 400.0
HANDLE_TIME_SIGMA = 0.7
SENTIMENT_NULL = 0.05
STALE_TICKET_RATE = 0.01  # stuck waiting 25-100 days before resolution
STALE_DAYS = (25, 100)
# tickets follow the working week of the account region's support schedule (seeds): the
# relative chance of a local day without open hours (weekend) and of a holiday, a weekday 1
TICKET_DAY_WEIGHT_CLOSED = 0.25
TICKET_DAY_WEIGHT_HOLIDAY = 0.30
KB_SESSIONS_PER_ACCOUNT_MONTH = (0.9, 1.6, 2.6)
KB_ARTICLES = 400

# --- surveys ------------------------------------------------------------------------------
CSAT_SHARES = (0.028, 0.027, 0.075, 0.29, 0.58)  # scores 1..5 at average health
NPS_SHARES = (0.01, 0.01, 0.01, 0.015, 0.02, 0.035, 0.05, 0.09, 0.30, 0.24, 0.22)
CES_SHARES = (0.015, 0.025, 0.04, 0.09, 0.18, 0.30, 0.35)
SUPPORT_SURVEY_SENT = 0.88
COMMENT_RATE = 0.30
COMMENT_PII_RATE = 0.10

# --- onboarding ---------------------------------------------------------------------------
MILESTONES = ("kickoff", "technical_setup", "first_value", "training_complete", "go_live")
MILESTONE_DUE_DAYS = (7, 21, 30, 45, 60)

# --- defects (documented rates; counts land in _generation.json) ----------------------------
DUPLICATE_RATE = 0.005
REDELIVERY_RATE = 0.005
INVALID_RATE = 0.001  # per invalid rule and table
INVALID_RULE_MAX = 0.002
INVALID_TOTAL_MAX = 0.01
ENUM_NOISE_RATE = 0.02
NULL_INDUSTRY = 0.02
NULL_EMPLOYEE_COUNT = 0.03
NULL_CSM = 0.02
DELETED_SHARE = 0.01
SEGMENT_CHANGE_SHARE = 0.35  # of employee-count changes: the company moves to the next size band
