{#- The data-quality status of a measure against its policy thresholds (seed
    data_quality_policy): error above error_above, warn above warn_above (or above error_above
    when the row sets no warn threshold), else ok; null when nothing was measured. The same
    rule the policy tests apply (policy_levels), so the scorecard's warn is the build's. -#}
{% macro policy_status(measure, warn_above, error_above) -%}
case
    when {{ measure }} is null then null
    when {{ error_above }} is not null and {{ measure }} > {{ error_above }} then 'error'
    when {{ measure }} > coalesce({{ warn_above }}, {{ error_above }}) then 'warn'
    else 'ok'
end
{%- endmacro %}

{#- A status as a number (ok 0, warn 1, error 2, null when not measured), so the worst of
    several is their max (or greatest). -#}
{% macro status_rank(status) -%}
case {{ status }} when 'error' then 2 when 'warn' then 1 when 'ok' then 0 end
{%- endmacro %}

{#- A status rank back to its status. -#}
{% macro rank_status(rank) -%}
case {{ rank }} when 2 then 'error' when 1 then 'warn' when 0 then 'ok' end
{%- endmacro %}
