{#- Within each partition, [lower_bound, upper_bound) ranges do not overlap; a null upper
    bound is open-ended. Zero-length ranges fail unless allowed. -#}
{% test mutually_exclusive_ranges(model, lower_bound_column, upper_bound_column, partition_by=[], zero_length_range_allowed=false) %}
    {%- set partition = 'partition by ' ~ partition_by | join(', ') if partition_by else '' -%}
    {%- set ranges -%}
(
    select
        {{ lower_bound_column }} as lower_bound,
        {{ upper_bound_column }} as upper_bound,
        lead({{ lower_bound_column }}) over (
            {{ partition }} order by {{ lower_bound_column }}, {{ upper_bound_column }}
        ) as next_lower_bound
    from {{ model }}
) as ranges
    {%- endset -%}
    {%- set width_ok = 'upper_bound >= lower_bound' if zero_length_range_allowed else 'upper_bound > lower_bound' -%}
{{ failing_rows(
    ranges,
    '(upper_bound is null or ' ~ width_ok ~ ') and (next_lower_bound is null or (upper_bound is not null and upper_bound <= next_lower_bound))'
) }}
{% endtest %}
