{#-
    Views on DuckDB, kept when their SQL is unchanged. A view is only its SQL (DuckDB binds it
    again at every read, so a replaced upstream table shows through at once): recreating a
    view whose compiled SQL equals the SQL it was created from changes nothing, and costs
    about six statements a view on every run. Each view built here carries the md5 of its
    compiled SQL in its comment (persist_docs is off, so nothing else writes it); when the
    existing view's comment holds the same md5, the view is kept and reported as such. A full
    refresh, an enforced contract (checked only when the view is created) or any difference
    in the SQL (a model, macro or var edited, another database file) recreates it, through
    dbt's own view materialization.
-#}
{%- materialization view, adapter='duckdb' -%}
  {%- set sql_md5 = 'csm sql md5 ' ~ local_md5(sql) -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set contract_enforced = model.contract.enforced -%}
  {%- if existing_relation is not none and existing_relation.is_view
        and not should_full_refresh() and not contract_enforced -%}
    {%- set stored = run_query(
          "select comment from duckdb_views() where database_name = '" ~ this.database
          ~ "' and schema_name = '" ~ this.schema ~ "' and view_name = '" ~ this.identifier ~ "'"
        ) -%}
    {%- if stored.rows | length == 1 and stored.rows[0][0] == sql_md5 -%}
      {%- do store_result('main', response='OK (view unchanged: kept)') -%}
      {{- return({'relations': [this.incorporate(type='view')]}) -}}
    {%- endif -%}
  {%- endif -%}
  {%- set relations = dbt.materialization_view_default() -%}
  {%- call statement('comment_sql_md5') -%}
    comment on view {{ this }} is '{{ sql_md5 }}'
  {%- endcall -%}
  {%- do adapter.commit() -%}
  {{- return(relations) -}}
{%- endmaterialization -%}
