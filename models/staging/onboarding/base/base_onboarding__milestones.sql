{{ config(materialized="table") }}

-- Every raw onboarding_milestones row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('onboarding', 'onboarding_milestones') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        account_id,
        {{ normalize_enum('milestone') }} as milestone,
        due_date,
        completed_at,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('onboarding', 'onboarding_milestones', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'onboarding', 'onboarding_milestones') }}
