{{ config(materialized="table") }}

-- Every raw survey_responses row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
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
)

{{ dq_classify('validated', 'survey', 'survey_responses') }}
