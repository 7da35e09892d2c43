-- The generic test column_checks, run on fixed rows, returns exactly the rows that break a
-- rule, each with the first rule it breaks: a null in a not_null column, values outside
-- inclusive and exclusive bounds, a value not accepted; a value outside the bounds is not
-- flagged where the range's row_condition is false, nor is a null in a column checked for
-- range or accepted values only; an expression false where its row_condition holds; a key
-- shared by two rows (both rows); the same when the test reads a subquery, as a test of recent
-- rows does, with keys_read_once. Returns the differences.
with

-- noqa: disable=AL03,LT09
fixture as (
    select 'ok' as row_name, 1 as row_id, 5 as amount, 0.5 as share, 'x' as kind
    union all
    select 'null id', cast(null as integer), 5, 0.5, 'x'
    union all
    select 'at the bounds', 2, 0, 0.1, 'x'
    union all
    select 'below min', 3, -1, 0.5, 'x'
    union all
    select 'above max', 4, 11, 0.5, 'x'
    union all
    select 'above max, not checked', 5, 11, 0.5, 'skip'
    union all
    select 'null share', 6, 5, cast(null as {{ type_double() }}), 'x'
    union all
    select 'share at exclusive bound', 7, 5, 0, 'x'
    union all
    select 'null id and below min', cast(null as integer), -1, 0.5, 'x'
    union all
    select 'unknown kind', 8, 5, 0.5, 'y'
    union all
    select 'null kind', 9, 5, 0.5, cast(null as {{ dbt.type_string() }})
    union all
    select 'share too high', 10, 5, 0.95, 'x'
    union all
    select 'share too high, not checked', 11, 5, 0.95, 'skip'
    union all
    select 'id 12', 12, 5, 0.5, 'x'
    union all
    select 'id 12 again', 12, 6, 0.5, 'x'
),
-- noqa: enable=AL03,LT09

{#- the rules checked, the same for both reads of the fixture -#}
{%- set rules = dict(
    not_null=['row_id'],
    ranges={
        'amount': {'min_value': 0, 'max_value': 10, 'row_condition': "kind <> 'skip'"},
        'share': {'min_value': 0, 'inclusive': false},
    },
    accepted_values={'kind': ['x', 'skip']},
    expressions=[{'expression': 'share < 0.9', 'row_condition': "kind = 'x'"}],
    unique=[['row_id']],
) %}

found as (
    {{ test_column_checks(model='fixture', **rules) }}
),

-- a test of recent rows reads a subquery (get_where_subquery); with keys_read_once, on
-- engines that can, it reads the key columns once into a table of their own
found_in_recent_rows as (
    {{ test_column_checks(model='(select * from fixture) as recent_rows', keys_read_once=true, **rules) }}
),

-- noqa: disable=AL03,LT09
expected as (
    select 'null id' as row_name, 'row_id is null' as rule_broken
    union all
    select 'below min', 'amount outside [0, 10]'
    union all
    select 'above max', 'amount outside [0, 10]'
    union all
    select 'share at exclusive bound', 'share outside (0, )'
    union all
    select 'null id and below min', 'row_id is null'
    union all
    select 'unknown kind', 'kind not in accepted_values'
    union all
    select 'share too high', 'share < 0.9 is false where kind = ''x'''
    union all
    select 'id 12', '(row_id) not unique'
    union all
    select 'id 12 again', '(row_id) not unique'
),
-- noqa: enable=AL03,LT09

found_both_ways as (
    select
        'whole model' as read_as,
        row_name,
        rule_broken
    from found
    union all
    select
        'recent rows' as read_as,
        row_name,
        rule_broken
    from found_in_recent_rows
),

expected_both_ways as (
    select
        read_as.read_as,
        expected.row_name,
        expected.rule_broken
    from expected
    cross join (
        select 'whole model' as read_as
        union all
        select 'recent rows'
    ) as read_as
),

differences as (
    select
        coalesce(found.read_as, expected.read_as) as read_as,
        coalesce(found.row_name, expected.row_name) as row_name,
        found.rule_broken as found_rule,
        expected.rule_broken as expected_rule
    from found_both_ways as found
    full outer join expected_both_ways as expected
        on found.read_as = expected.read_as and found.row_name = expected.row_name
    where
        found.row_name is null
        or expected.row_name is null
        or found.rule_broken <> expected.rule_broken
)

select * from differences
