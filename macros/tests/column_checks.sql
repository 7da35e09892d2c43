{#- Many column rules in one pass over the model: every column in not_null has no nulls,
    every column in ranges lies within its bounds, and every column in accepted_values holds
    one of its values. One test per model instead of one test per column and rule: each test
    is a query and a node, and per-node overhead dominated the test time of a build (about
    460 column tests, most over tables of millions of rows).
    - not_null: [column, ...]
    - ranges: {column: {min_value, max_value, inclusive (default true), row_condition}}; a
      row_condition limits the check to the rows where it is true
    - accepted_values: {column: [value, ...]} (string values)
    - expressions: [expression, ...] or [{expression, row_condition}, ...]: true on every row
      (where row_condition is true); a null expression passes, as in expression_is_true
    - unique: [[column, ...], ...]: no two rows share the values of each list of columns (a
      null equals a null here, as in unique_combination_of_columns)
    - keys_read_once: true: when the test reads the recent rows of the model (an incremental
      run, get_where_subquery), read each key's columns once into a table of their own (a
      materialized CTE) and group that. For a large model whose recent rows lie in every
      row group (not written in day order): DuckDB splits the grouping into partitions and
      scans the filtered model once per partition, every row group each time
      (int_alerts__rule_days in the `large` daily run: 1.5 -> 0.5 s). Elsewhere the extra
      table costs more than it saves (0.05 -> 0.2 s), so it is off by default. Ignored on
      a whole model and on Spark (no materialized CTEs).
    A null is neither out of range nor an unaccepted value: list the column in not_null too.
    Returns the failing rows with `rule_broken` (the first rule of the row that fails, e.g.
    "seats is null", "seats outside [0, ]", "plan not in accepted_values", "(a, b) not
    unique" or "a <= b is false"). -#}
{% test column_checks(model, not_null=[], ranges={}, accepted_values={}, expressions=[], unique=[], keys_read_once=false) %}
    {%- set rules = [] -%}
    {%- for column in not_null -%}
        {%- do rules.append([column ~ ' is null', column ~ ' is null']) -%}
    {%- endfor -%}
    {%- for column, bounds in ranges.items() -%}
        {%- set inclusive = bounds.get('inclusive', true) -%}
        {%- set checks = [] -%}
        {%- if bounds.get('min_value') is not none -%}
            {%- do checks.append(column ~ (' >= ' if inclusive else ' > ') ~ bounds['min_value']) -%}
        {%- endif -%}
        {%- if bounds.get('max_value') is not none -%}
            {%- do checks.append(column ~ (' <= ' if inclusive else ' < ') ~ bounds['max_value']) -%}
        {%- endif -%}
        {%- if not checks -%}
            {{ exceptions.raise_compiler_error(
                "column_checks on " ~ model ~ ": ranges." ~ column ~ " needs min_value or max_value") }}
        {%- endif -%}
        {%- set skipped = column ~ ' is null' ~ (' or not (' ~ bounds['row_condition'] ~ ')' if bounds.get('row_condition') else '') -%}
        {%- set interval = ('[' if inclusive else '(') ~ bounds.get('min_value', '') ~ ', ' ~ bounds.get('max_value', '') ~ (']' if inclusive else ')') -%}
        {%- do rules.append(['not (' ~ skipped ~ ' or (' ~ checks | join(' and ') ~ '))', column ~ ' outside ' ~ interval]) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- do rules.append([
            column ~ ' is not null and ' ~ column ~ ' not in (' ~ string_literals(values) ~ ')',
            column ~ ' not in accepted_values']) -%}
    {%- endfor -%}
    {%- for check in expressions -%}
        {%- set expression = check if check is string else check['expression'] -%}
        {%- set row_condition = none if check is string else check.get('row_condition') -%}
        {%- set broken = 'not (' ~ expression ~ ')' -%}
        {%- do rules.append([
            ('(' ~ row_condition ~ ') and ' if row_condition else '') ~ broken,
            (expression ~ ' is false' ~ (' where ' ~ row_condition if row_condition else '')) | replace("'", "''")]) -%}
    {%- endfor -%}
    {%- for key in unique -%}
        {%- do rules.append(['is_duplicate_' ~ loop.index ~ ' = 1', '(' ~ key | join(', ') ~ ') not unique']) -%}
    {%- endfor -%}
    {%- if not rules -%}
        {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ " has no rule to check") }}
    {%- endif -%}
    {%- set keys_once = keys_read_once and model is string and model.startswith('(') and materialized_cte() | trim != '' -%}
    {%- set checked -%}
(
    with tested as (
        select * from {{ model }}
    )
    {%- for key in unique %}
    {%- set number = loop.index %},

    {%- if keys_once %}

    keys_{{ number }} as {{ materialized_cte() }} (
        select {{ key | join(', ') }} from {{ model }}
    ),
    {%- endif %}

    duplicates_{{ number }} as (
        select
            {%- for column in key %}
            {{ column }} as duplicate_key_{{ number }}_{{ loop.index }},
            {%- endfor %}
            1 as is_duplicate_{{ number }}
        from {{ 'keys_' ~ number if keys_once else model }}
        group by {{ key | join(', ') }}
        having count(*) > 1
    )
    {%- endfor %}

    select
        {{ first_broken_rule(rules) }} as rule_broken,
        tested.*
    from tested
    {%- for key in unique %}
    {%- set number = loop.index %}
    left join duplicates_{{ number }}
        on
        {%- for column in key %}
            {% if not loop.first %}and {% endif %}tested.{{ column }} is not distinct from duplicates_{{ number }}.duplicate_key_{{ number }}_{{ loop.index }}
        {%- endfor %}
    {%- endfor %}
) as checked
    {%- endset -%}
{{ failing_rows(checked, 'rule_broken is null') }}
{% endtest %}
