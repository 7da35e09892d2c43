-- Every stored health figure is within its bounds, in one pass over the mart: each measure and
-- component score and the health score in 0-100, each weight used in 0-1, each contribution in
-- 0-100, components_used in 0-4, the weights used sum to 1 when a component has data, and the
-- contributions sum to the health score (to 1e-9). Returns the account-days that break a
-- check, with the first check broken. An incremental csm build checks the last
-- test_recent_days days (recent_rows, as the mart's generic tests), a full refresh every day.
with

health as (
    select * from {{ recent_rows(ref('fct_account_health_daily'), 'activity_date') }}
),

checked as (
    select
        account_id,
        activity_date,
        case
            when license_utilization_score not between 0 and 100.000000001 then 'license_utilization_score'
            when active_day_frequency_score not between 0 and 100.000000001 then 'active_day_frequency_score'
            when core_feature_breadth_score not between 0 and 100.000000001 then 'core_feature_breadth_score'
            when usage_trend_score not between 0 and 100.000000001 then 'usage_trend_score'
            when onboarding_on_time_score not between 0 and 100.000000001 then 'onboarding_on_time_score'
            when time_to_first_value_score not between 0 and 100.000000001 then 'time_to_first_value_score'
            when payment_timeliness_score not between 0 and 100.000000001 then 'payment_timeliness_score'
            when ticket_burden_score not between 0 and 100.000000001 then 'ticket_burden_score'
            when csat_score not between 0 and 100.000000001 then 'csat_score'
            when nps_score not between 0 and 100.000000001 then 'nps_score'
            when ticket_sentiment_score not between 0 and 100.000000001 then 'ticket_sentiment_score'
            when executive_engagement_score not between 0 and 100.000000001 then 'executive_engagement_score'
            when escalations_score not between 0 and 100.000000001 then 'escalations_score'
            when mrr_change_score not between 0 and 100.000000001 then 'mrr_change_score'
            when active_user_growth_score not between 0 and 100.000000001 then 'active_user_growth_score'
            when expansion_pipeline_score not between 0 and 100.000000001 then 'expansion_pipeline_score'
            when product_usage_score not between 0 and 100.000000001 then 'product_usage_score'
            when business_outcomes_score not between 0 and 100.000000001 then 'business_outcomes_score'
            when relationship_quality_score not between 0 and 100.000000001 then 'relationship_quality_score'
            when account_growth_score not between 0 and 100.000000001 then 'account_growth_score'
            when product_usage_weight_used not between 0 and 1 then 'product_usage_weight_used'
            when business_outcomes_weight_used not between 0 and 1 then 'business_outcomes_weight_used'
            when relationship_quality_weight_used not between 0 and 1 then 'relationship_quality_weight_used'
            when account_growth_weight_used not between 0 and 1 then 'account_growth_weight_used'
            when product_usage_contribution not between 0 and 100.000000001 then 'product_usage_contribution'
            when business_outcomes_contribution not between 0 and 100.000000001 then 'business_outcomes_contribution'
            when relationship_quality_contribution not between 0 and 100.000000001
                then 'relationship_quality_contribution'
            when account_growth_contribution not between 0 and 100.000000001 then 'account_growth_contribution'
            when health_score not between 0 and 100.000000001 then 'health_score'
            when components_used not between 0 and 4 then 'components_used'
            when
                components_used > 0
                and abs(
                    product_usage_weight_used + business_outcomes_weight_used
                    + relationship_quality_weight_used + account_growth_weight_used - 1
                ) >= 0.000000001
                then 'weights_sum_to_one'
            when
                health_score is not null
                and abs(
                    product_usage_contribution + business_outcomes_contribution
                    + relationship_quality_contribution + account_growth_contribution - health_score
                ) >= 0.000000001
                then 'contributions_sum_to_score'
        end as broken_check
    from health
)

select
    account_id,
    activity_date,
    broken_check
from checked
where broken_check is not null
