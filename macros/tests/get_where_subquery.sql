{#- What a generic test reads (overrides dbt's get_where_subquery). Besides the test's own
    `where` config: when the var test_recent_days is set (csm build sets it on incremental
    runs) and the tested model names a column in config meta `test_recent_by`, the test
    reads only the rows of the last test_recent_days days of that column (counted back from
    the latest value in the model). The event-scale and daily models declare it, so a daily
    run checks the days it rebuilt instead of the whole history; a full refresh (or csm build
    --test-all-rows) checks every row. Keys that include the day column lose nothing; keys
    without it (event_id) are checked among the recent rows only. The tests that must count
    every row (tests/data_quality: every raw row accounted for, the quarantine rates) are
    singular tests, which read their models whole; a singular test that checks rows one by one
    reads the same recent rows through recent_rows. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set tested_id = model.get('attached_node') if model is mapping else none -%}
    {%- if execute and tested_id and tested_id in graph.nodes -%}
        {%- set recent = recent_rows_condition(relation, graph.nodes[tested_id].config.meta.get('test_recent_by')) -%}
        {%- if recent -%}
            {%- do conditions.append(recent) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') as dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- What a singular test of an event-scale or daily model reads: the same recent rows as the
    generic tests (get_where_subquery) - the last test_recent_days days of `recent_by` when the
    var is set (an incremental csm build), else the whole model. -#}
{% macro recent_rows(relation, recent_by) -%}
    {%- set recent = recent_rows_condition(relation, recent_by) if execute else none -%}
    {%- if recent -%}
        {{- return('(select * from ' ~ relation ~ ' where ' ~ recent ~ ') as recent_rows') -}}
    {%- else -%}
        {{- return(relation) -}}
    {%- endif -%}
{%- endmacro %}

{#- The condition on `recent_by` that keeps the last test_recent_days days of relation (counted
    back from its latest value), or none when the var is not set or recent_by is empty. The
    first recent value is read before the test and written in as a constant, so that a test of
    a view reads only the recent days of what the view reads. -#}
{% macro recent_rows_condition(relation, recent_by) -%}
    {%- set recent_days = var('test_recent_days', none) -%}
    {%- if not (recent_days and recent_by) -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set first_recent_query = 'select ' ~ dbt.dateadd('day', -1 * (recent_days | int), 'max(' ~ recent_by ~ ')')
        ~ ' from ' ~ relation -%}
    {%- set first_recent = run_query(first_recent_query).columns[0].values()[0] -%}
    {%- if first_recent is none -%}
        {{- return(recent_by ~ ' >= (' ~ first_recent_query ~ ')') -}}
    {%- elif first_recent.hour is defined -%}
        {{- return(recent_by ~ " >= cast('" ~ first_recent ~ "' as " ~ dbt.type_timestamp() ~ ")") -}}
    {%- else -%}
        {{- return(recent_by ~ " >= cast('" ~ first_recent ~ "' as date)") -}}
    {%- endif -%}
{%- endmacro %}
