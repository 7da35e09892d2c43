{#- SQL run before every model on its connection (project pre-hook, dbt_project.yml): engine
    settings that the profile cannot carry. Empty where nothing is needed.
    PostgreSQL: JIT compilation off. The health models are a few hundred expressions wide and
    PostgreSQL's planner costs them above jit_above_cost, so it compiled each query with LLVM
    first: fct_account_health_daily took 140 s on the tiny data with JIT and well under a
    second without (docs/decisions.md, 2026-11-23). A session setting: it stays on the
    thread's connection for the tests that follow. -#}
{% macro session_settings() -%}
{{ return(adapter.dispatch('session_settings', 'customer_success')()) }}
{%- endmacro %}

{% macro default__session_settings() -%}
{%- endmacro %}

{% macro postgres__session_settings() -%}
set jit = off
{%- endmacro %}
