{#- The data-quality policy (seed data_quality_policy): per check family, and per table or
    column where a row says so, the measure above which a check warns (warn_above) and above
    which it fails the build (error_above; empty = never). The most specific row applies: the
    table's own row before a '*' row, then the column's own row before a '*' row.

    Thresholds are applied when the test runs, inside its SQL (a seed cannot be read when dbt
    parses the project, which is when severity, warn_if and error_if are fixed): a policy test
    returns a 'warn' row for each check whose measure is above its warn threshold and an
    'error' row for each above its error threshold. Its config policy_test_config() turns the
    rows into the test's verdict: warn when there is a row, fail when one of them is an error,
    however many checks the test makes. -#}

{#- The config of a policy test: dbt counts 1 when every returned row is a warning and 2 when
    one is an error, so that warn_if '>0' and error_if '>1' read as the rows' worst level. -#}
{% macro policy_test_config() -%}
    {{ config(
        warn_if='>0',
        error_if='>1',
        fail_calc="coalesce(max(case when level = 'error' then 2 else 1 end), 0)"
    ) }}
{%- endmacro %}

{#- The policy row that applies to each check of `checks` (a CTE or relation with check_family,
    the table in `table_column` and column_name): every column of the check with the row's
    warn_above, error_above and note, null where no row matches. The one place the precedence
    is written, so the build's policy tests (policy_levels) and the scorecard
    (int_quality__thresholds) apply the same row. -#}
{% macro applying_policy(checks, table_column) -%}
select * from (
    select
        checks.*,
        policy.warn_above,
        policy.error_above,
        policy.note,
        row_number() over (
            partition by checks.check_family, checks.{{ table_column }}, checks.column_name
            order by
                case when policy.table_name = '*' then 1 else 0 end,
                case when policy.column_name = '*' then 1 else 0 end
        ) as specificity_rank
    from {{ checks }} as checks
    left join {{ ref('data_quality_policy') }} as policy
        on checks.check_family = policy.check_family
            and policy.table_name in (checks.{{ table_column }}, '*')
            and policy.column_name in (checks.column_name, '*')
) as ranked
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

{#- The body of a policy test. `measured` selects one row per check: check_family,
    table_name, column_name ('*' for a table-wide check), checked_rows and failing_rows; the
    measure is their ratio. Returns a 'warn' row for each check whose measure is above its warn
    threshold (or its error threshold when the policy row sets no warn threshold) and an
    'error' row for each above its error threshold, naming the check, the measure and the
    threshold (csm build prints each as one line). -#}
{% macro policy_levels(measured) -%}
with

measured as (
    select
        check_family,
        table_name,
        column_name,
        checked_rows,
        failing_rows,
        {{ ratio('failing_rows', 'checked_rows') }} as measure
    from ({{ measured }}) as counts
),

policy as (
    {{ applying_policy('measured', 'table_name') }}
),

levels as (
    select
        check_family,
        table_name,
        column_name,
        'warn' as level,
        coalesce(warn_above, error_above) as threshold,
        note
    from policy
    union all
    select
        check_family,
        table_name,
        column_name,
        'error' as level,
        error_above as threshold,
        note
    from policy
)

select
    levels.level,
    measured.check_family,
    measured.table_name,
    measured.column_name,
    measured.measure,
    levels.threshold,
    measured.checked_rows,
    measured.failing_rows,
    levels.note
from measured
inner join levels
    on measured.check_family = levels.check_family
        and measured.table_name = levels.table_name
        and measured.column_name = levels.column_name
where levels.threshold is not null
    and measured.measure > levels.threshold
{%- endmacro %}
