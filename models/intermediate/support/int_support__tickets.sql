-- One row per valid support ticket with the ticket-level logic every support mart reads:
-- its SLA policy and resolution deadline on the priority's clock (calendar or business
-- hours), the SLA outcome and the month it counts in, response and resolution times in
-- calendar and business time, first contact resolution, handle time and the CSAT score of
-- its support survey.
-- A table: five support marts, the ticket signals and its tests read it; as a view each read
-- joined the tickets with their policies and business times again.
{{ config(materialized='table') }}
with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

sla_policies as (
    select * from {{ ref('sla_policies') }}
),

business_time as (
    select * from {{ ref('int_support__ticket_business_time') }}
),

support_csat as (
    -- explicit columns: the survey comment (customer PII) stays in staging
    select
        response_id,
        ticket_id,
        score,
        responded_at
    from {{ ref('stg_survey__responses') }}
    where
        survey_type = 'csat'
        and touchpoint = 'support'
        and ticket_id is not null
        and score is not null
),

latest_csat as (
    -- a ticket surveyed more than once keeps its latest answer
    select
        ticket_id,
        response_id,
        score
    from (
        select
            ticket_id,
            response_id,
            score,
            row_number() over (
                partition by ticket_id
                order by responded_at desc, response_id desc
            ) as answer_rank
        from support_csat
    ) as ranked
    where answer_rank = 1
),

with_policy as (
    select
        tickets.ticket_id,
        tickets.account_id,
        tickets.agent_id,
        tickets.priority,
        tickets.category,
        tickets.channel,
        tickets.status,
        tickets.created_at,
        tickets.first_response_at,
        tickets.resolved_at,
        tickets.reopened_count,
        tickets.customer_contacts,
        tickets.is_escalated,
        tickets.handle_time_seconds,
        tickets.sentiment_score,
        business_time.schedule_id,
        business_time.business_minutes_to_first_response,
        business_time.business_minutes_to_resolution,
        sla_policies.clock as sla_clock,
        sla_policies.resolution_limit_hours as sla_limit_hours,
        sla_policies.resolution_target_hours as sla_target_hours,
        -- the limit and the target run on the priority's clock
        case
            when sla_policies.clock = 'business' then business_time.business_deadline_at
            else {{ add_minutes('tickets.created_at', 'sla_policies.resolution_limit_hours * 60') }}
        end as sla_deadline_at,
        case
            when sla_policies.clock = 'business' then business_time.business_target_at
            else {{ add_minutes('tickets.created_at', 'sla_policies.resolution_target_hours * 60') }}
        end as sla_target_at,
        {{ as_of_timestamp() }} as as_of_timestamp
    from tickets
    left join sla_policies
        on tickets.priority = sla_policies.priority
    left join business_time
        on tickets.ticket_id = business_time.ticket_id
),

classified as (
    select
        *,
        case
            -- exactly at the deadline is within the limit
            when resolved_at is not null then resolved_at <= sla_deadline_at
            -- unresolved: breached once the deadline has passed, undecided while it runs
            when sla_deadline_at < as_of_timestamp then false
        end as is_sla_met,
        case
            when resolved_at is not null then {{ month_start('resolved_at') }}
            when sla_deadline_at < as_of_timestamp then {{ month_start('sla_deadline_at') }}
        end as sla_outcome_month
    from with_policy
)

select
    classified.ticket_id,
    classified.account_id,
    classified.agent_id,
    classified.priority,
    classified.category,
    classified.channel,
    classified.status,
    classified.created_at,
    classified.first_response_at,
    classified.resolved_at,
    {{ month_start('classified.created_at') }} as created_month,
    {{ month_start('classified.resolved_at') }} as resolved_month,
    classified.resolved_at is not null as is_resolved,
    classified.schedule_id,
    classified.sla_clock,
    classified.sla_limit_hours,
    classified.sla_target_hours,
    classified.sla_deadline_at,
    classified.is_sla_met,
    case
        when classified.resolved_at is not null then classified.resolved_at <= classified.sla_target_at
    end as is_sla_target_met,
    classified.sla_outcome_month,
    {{ seconds_between('classified.created_at', 'classified.first_response_at') }} / 60.0
        as first_response_minutes,
    {{ seconds_between('classified.created_at', 'classified.resolved_at') }} / 3600.0
        as resolution_hours,
    classified.business_minutes_to_first_response,
    classified.business_minutes_to_resolution,
    case
        when classified.resolved_at is not null
            then
                classified.customer_contacts = 1
                and not classified.is_escalated
                and classified.reopened_count = 0
    end as is_first_contact_resolution,
    classified.is_escalated,
    classified.reopened_count,
    classified.customer_contacts,
    classified.handle_time_seconds,
    {{ ratio("classified.handle_time_seconds", 60) }} as handle_time_minutes,
    classified.sentiment_score,
    latest_csat.response_id as csat_response_id,
    latest_csat.score as csat_score
from classified
left join latest_csat
    on classified.ticket_id = latest_csat.ticket_id
