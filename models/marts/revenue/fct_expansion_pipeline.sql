-- One row per month and segment: open expansion pipeline ARR at the month's measurement day
-- against the segment's ARR (coverage), and expansion opportunities won and lost in the month.
with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
    where opportunity_type = 'expansion'
),

accounts as (
    select * from {{ ref('int_accounts__segmented') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

retention as (
    select * from {{ ref('fct_revenue_retention_monthly') }}
),

segmented as (
    select
        opportunities.*,
        accounts.size_segment as segment
    from opportunities
    inner join accounts
        on opportunities.account_id = accounts.account_id
    union all
    select
        opportunities.*,
        'all' as segment
    from opportunities
),

pipeline as (
    -- open on the measurement day: created by then and not closed by then
    select
        months.month,
        segmented.segment,
        sum(case
            when
                cast(segmented.created_at as date) <= months.measured_on
                and (segmented.stage = 'open' or segmented.close_date > months.measured_on)
                then segmented.amount_arr
            else 0
        end) as open_pipeline_arr,
        sum(case
            when segmented.stage = 'closed_won' and {{ month_start('segmented.close_date') }} = months.month
                then 1
            else 0
        end) as won_opportunities,
        sum(case
            when segmented.stage = 'closed_lost' and {{ month_start('segmented.close_date') }} = months.month
                then 1
            else 0
        end) as lost_opportunities
    from months
    cross join segmented
    group by months.month, segmented.segment
)

select
    retention.month,
    retention.segment,
    {{ money('coalesce(pipeline.open_pipeline_arr, 0)') }} as open_pipeline_arr,
    {{ money('retention.ending_mrr * 12') }} as current_arr,
    case
        when retention.ending_mrr > 0
            then {{ ratio('coalesce(pipeline.open_pipeline_arr, 0)', 'retention.ending_mrr * 12') }}
    end as pipeline_coverage_ratio,
    coalesce(pipeline.won_opportunities, 0) as won_opportunities,
    coalesce(pipeline.lost_opportunities, 0) as lost_opportunities,
    case
        when coalesce(pipeline.won_opportunities, 0) + coalesce(pipeline.lost_opportunities, 0) > 0
            then {{ ratio('pipeline.won_opportunities', 'pipeline.won_opportunities + pipeline.lost_opportunities') }}
    end as win_rate,
    retention.is_complete_month
from retention
left join pipeline
    on
        retention.month = pipeline.month
        and retention.segment = pipeline.segment
