{{ config(materialized="table") }}

-- Every raw support_agents row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('support', 'support_agents') }}
),

normalized as (
    select
        agent_id,
        full_name,
        email,
        team,
        tier,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('support', 'support_agents', table_rules=[
            ["tier not between 1 and 3", "invalid_tier"]
        ]) }} as dq_rule
    from normalized
)

{{ dq_classify('validated', 'support', 'support_agents') }}
