-- Lets one SQL statement abort itself when two of its steps disagree (a claim cancel that
-- lost a race). 40001 tells the caller the statement may simply be run again.
CREATE OR REPLACE FUNCTION pioneer_assert(ok boolean, what text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'pioneer_assert: %', what USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN true;
END
$$;
