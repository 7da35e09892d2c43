-- One row per support agent.
with

agents as (
    select * from {{ ref('base_support__agents') }}
    where dq_status = 'kept'
)

select
    agent_id,
    full_name as agent_name,
    email as agent_email,
    team as agent_team,
    tier as agent_tier,
    _loaded_at
from agents
