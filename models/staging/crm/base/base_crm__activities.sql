-- noqa: disable=LT02
-- (indentation is off here: whole CTEs exist only on incremental runs)
{{
    config(
        on_schema_change='fail',
        pre_hook="{{ delete_keyless_rows_of_changed_load_days('crm', 'crm_activities') }}",
        **incremental_where_possible('delete+insert', 'activity_id')
    )
}}

-- Every raw crm_activities row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
-- Incremental (a plain table on Spark) like base_product__users: a run re-reads the raw rows
-- of every load day whose raw row count differs from the rows stored for it and classifies
-- them together with the stored versions of the same activities (the latest version wins) and
-- of the activities quarantined as unknown_account (the account may have arrived in the CRM
-- since). Stored rows quarantined for another rule are carried over unchanged: their stored
-- values are already cast, so they are not validated again; an identical copy is one of the
-- same load day, which a re-read day re-reads whole.
with

raw_activities as (
    {{ raw_source('crm', 'crm_activities') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

{%- if is_incremental() %}
{%- set load_days = changed_load_day_list('crm', 'crm_activities') %}

source as (
    select raw_activities.*
    from raw_activities
    where {{ loaded_on_days(load_days, 'raw_activities._loaded_at', 'crm', 'crm_activities') }}
),

stored as (
    {{ stored_rows_to_reclassify('crm', 'crm_activities', load_days) }}
),
{%- else %}

source as (
    select * from raw_activities
),
{%- endif %}

normalized as (
    select
        activity_id,
        account_id,
        csm_id,
        {{ normalize_enum('activity_type') }} as activity_type,
        occurred_at,
        executive_present,
        _loaded_at
    from source
    {%- if is_incremental() %}
    union all
    select
        activity_id,
        account_id,
        csm_id,
        activity_type,
        occurred_at,
        executive_present,
        _loaded_at
    from stored
    where dq_rule is null or dq_rule = 'unknown_account'
    {%- endif %}
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('crm', 'crm_activities', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
),

classified as (
    {{ dq_classify('validated', 'crm', 'crm_activities') }}
)

select * from classified
{%- if is_incremental() %}
union all
select * from stored
where dq_rule is not null and dq_rule <> 'unknown_account'
{%- endif %}
