{#- The core (seat) plans in ascending order of features, as a select (plan_code, plan_rank):
    a plan includes every feature whose min_plan ranks at or below it (feature_catalog).
    Add-on plans are not listed: they add a module to the core plan's seats. The order is the
    var usage_plan_tiers (default starter < growth < enterprise, the feature_catalog seed's
    min_plan values). -#}
{% macro usage_plan_tiers() -%}
    {%- for plan_code in var('usage_plan_tiers', ['starter', 'growth', 'enterprise']) %}
    select
        '{{ plan_code }}' as plan_code,
        {{ loop.index }} as plan_rank
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
