-- noqa: disable=LT02
-- (indentation is off here: whole CTEs exist only on incremental runs)
{{
    config(
        on_schema_change='fail',
        pre_hook="{{ delete_keyless_rows_of_changed_load_days('survey', 'survey_responses') }}",
        **incremental_where_possible('delete+insert', 'response_id')
    )
}}

-- Every raw survey_responses row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
-- Incremental (a plain table on Spark) like base_product__users: a run re-reads the raw rows
-- of every load day whose raw row count differs from the rows stored for it and classifies
-- them together with the stored versions of the same responses (the latest version wins) and
-- of the responses quarantined as unknown_account (the account may have arrived in the CRM
-- since). Stored rows quarantined for another rule are carried over unchanged: their stored
-- values are already cast, so they are not validated again; an identical copy is one of the
-- same load day, which a re-read day re-reads whole. A change of survey_scales needs a full
-- refresh (as the incremental daily models' seeds).
with

raw_responses as (
    {{ raw_source('survey', 'survey_responses') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

survey_scales as (
    select
        survey_type as scale_survey_type,
        min_score,
        max_score
    from {{ ref('survey_scales') }}
),

{%- if is_incremental() %}
{%- set load_days = changed_load_day_list('survey', 'survey_responses') %}

source as (
    select raw_responses.*
    from raw_responses
    where {{ loaded_on_days(load_days, 'raw_responses._loaded_at', 'survey', 'survey_responses') }}
),

stored as (
    {{ stored_rows_to_reclassify('survey', 'survey_responses', load_days) }}
),
{%- else %}

source as (
    select * from raw_responses
),
{%- endif %}

normalized as (
    select
        response_id,
        account_id,
        respondent_user_id,
        {{ normalize_enum('survey_type') }} as survey_type,
        {{ normalize_enum('touchpoint') }} as touchpoint,
        ticket_id,
        score,
        sent_at,
        responded_at,
        comment,
        _loaded_at
    from source
    {%- if is_incremental() %}
    union all
    select
        response_id,
        account_id,
        respondent_user_id,
        survey_type,
        touchpoint,
        ticket_id,
        score,
        sent_at,
        responded_at,
        comment,
        _loaded_at
    from stored
    where dq_rule is null or dq_rule = 'unknown_account'
    {%- endif %}
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('survey', 'survey_responses', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"],
            ["score < survey_scales.min_score or score > survey_scales.max_score", "score_out_of_scale"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
    left join survey_scales
        on normalized.survey_type = survey_scales.scale_survey_type
),

classified as (
    {{ dq_classify('validated', 'survey', 'survey_responses') }}
)

select * from classified
{%- if is_incremental() %}
union all
select * from stored
where dq_rule is not null and dq_rule <> 'unknown_account'
{%- endif %}
