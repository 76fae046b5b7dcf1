-- A slot of an open post was freed (a claim cancelled or released, an offer declined, expired
-- or left). The caller holds the post's row lock and has already ended what held the slot
-- (and taken a held offer out of tasks.held). The slot goes to the earliest waiting entry: as
-- an offer before the cancellation cutoff, as a claim (promoted) inside it; with nobody
-- waiting it returns to the pool. Returns 'offered', 'promoted' or 'freed'.
CREATE OR REPLACE FUNCTION pioneer_free_slot(p_task uuid, p_now timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  t tasks%ROWTYPE;
  e waitlist_entries%ROWTYPE;
  cutoff timestamptz;
  cid uuid;
BEGIN
  SELECT * INTO t FROM tasks WHERE id = p_task;
  IF t.status = 'open' AND t.ends_at > p_now AND t.starts_at > p_now THEN
    SELECT * INTO e FROM waitlist_entries
     WHERE task_id = p_task AND status = 'waiting'
     ORDER BY ord, coalesce(draw_rank, 0), id
     LIMIT 1;
    IF FOUND THEN
      cutoff := t.starts_at - make_interval(mins => t.cancel_cutoff_minutes);
      IF p_now < cutoff THEN
        UPDATE waitlist_entries
           SET status = 'offered', offered_at = p_now, updated_at = p_now,
               offer_expires_at = least(p_now + make_interval(mins => t.offer_minutes), cutoff)
         WHERE id = e.id;
        UPDATE tasks SET held = held + 1, waitlisted = waitlisted - 1, filled_at = NULL WHERE id = p_task;
        RETURN 'offered';
      END IF;
      INSERT INTO claims (task_id, member_id, status, claimed_at, promoted)
      VALUES (p_task, e.member_id, 'claimed', p_now, true)
      RETURNING id INTO cid;
      UPDATE waitlist_entries SET status = 'promoted', claim_id = cid, updated_at = p_now WHERE id = e.id;
      UPDATE tasks SET waitlisted = waitlisted - 1,
                       filled_at = CASE WHEN claimed - held = capacity THEN coalesce(filled_at, p_now) ELSE NULL END
       WHERE id = p_task;
      RETURN 'promoted';
    END IF;
  END IF;
  UPDATE tasks SET claimed = claimed - 1, filled_at = NULL WHERE id = p_task;
  RETURN 'freed';
END
$$;
