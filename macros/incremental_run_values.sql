{#- The first column of a query's rows, read when an incremental model runs (run_query, before
    the model's own query), so that the model can write them into its SQL as constants: the
    engine skips older days by a constant bound, not by one behind a subquery. None at parse
    time, on a full build and where `this` is not the model's own table (unit tests); the
    caller then keeps the query as a subquery. -#}
{% macro incremental_run_values(query) -%}
    {%- if execute and model.resource_type == 'model' and is_incremental() -%}
        {{ return(run_query(query).columns[0].values() | list) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
