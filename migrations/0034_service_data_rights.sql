-- 注销 re-labels a member's rows to an id that names nobody, as it does claims: the append-only
-- ledger lets exactly that through (every other column unchanged), and nothing else.
CREATE OR REPLACE FUNCTION points_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'member_id') = (to_jsonb(OLD) - 'member_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'points_entries is append-only: post a reversal instead' USING ERRCODE = 'check_violation';
END
$$;
