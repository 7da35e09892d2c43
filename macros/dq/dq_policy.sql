{#- The data-quality policy (seed data_quality_policy): per check family, and per table or
    column where a row says so, the measure above which a check warns (warn_above) and above
    which it fails the build (error_above; empty = never). The most specific row applies: the
    table's own row before a '*' row, then the column's own row before a '*' row.

    Thresholds are applied when the test runs, inside its SQL (a seed cannot be read when dbt
    parses the project, which is when severity, warn_if and error_if are fixed): a policy test
    returns one row when the measure is above the warn threshold and a second when it is above
    the error threshold, and is configured warn_if '>0', error_if '>1'. -#}

{#- A one-row select of the policy row that applies: warn_above, error_above, note. -#}
{% macro dq_policy(check_family, table_name, column_name='*') -%}
select
    warn_above,
    error_above,
    note
from (
    select
        warn_above,
        error_above,
        note,
        row_number() over (
            order by
                case when table_name = '*' then 1 else 0 end,
                case when column_name = '*' then 1 else 0 end
        ) as specificity_rank
    from {{ ref('data_quality_policy') }}
    where check_family = '{{ check_family }}'
        and table_name in ('{{ table_name }}', '*')
        and column_name in ('{{ column_name }}', '*')
) as matching
where specificity_rank = 1
{%- endmacro %}

{#- The table a test's policy row is looked up by: the raw table of a staging model (base_ or
    stg_ of raw_tables()), else the model's own name. Reads the test node being run (the
    context's `model`), so it is only meaningful at execution time. -#}
{% macro policy_table_name() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = graph.nodes[model.attached_node].name -%}
    {%- for raw in raw_tables() -%}
        {%- if tested in [raw.base, raw.base | replace('base_', 'stg_', 1)] -%}
            {{ return(raw.table) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tested) }}
{%- endmacro %}

{#- The body of a policy test. `measured` is a one-row select of checked_rows and failing_rows;
    the measure is their ratio. Returns a 'warn' row when the measure is above the warn
    threshold (or the error threshold when the row sets no warn threshold) and an 'error' row
    when it is above the error threshold, each naming the check, the measure and the threshold
    (csm build prints them as one line). -#}
{% macro policy_levels(check_family, column_name, measured) -%}
    {%- set table_name = policy_table_name() -%}
with

measured as (
    select
        checked_rows,
        failing_rows,
        {{ ratio('failing_rows', 'checked_rows') }} as measure
    from ({{ measured }}) as counts
),

policy as (
    {{ dq_policy(check_family, table_name, column_name) }}
),

levels as (
    select
        'warn' as level,
        coalesce(warn_above, error_above) as threshold
    from policy
    union all
    select
        'error' as level,
        error_above as threshold
    from policy
)

select
    levels.level,
    '{{ check_family }}' as check_family,
    '{{ table_name }}' as table_name,
    '{{ column_name }}' as column_name,
    measured.measure,
    levels.threshold,
    measured.checked_rows,
    measured.failing_rows,
    policy.note
from measured
cross join levels
cross join policy
where levels.threshold is not null
    and measured.measure > levels.threshold
{%- endmacro %}
