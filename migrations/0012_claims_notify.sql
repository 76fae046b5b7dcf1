-- Claims notify their members from inside the transaction that writes them (the outbox): every
-- path that grants a claim (grab, batch, Idempotency-Key, accepted offer, promotion, draw) or
-- records service minutes goes through here, whatever statement it uses. Bulk loads (seed:city,
-- the demo) run `set local pioneer.notifications = 'off'` so history does not notify anyone.
CREATE OR REPLACE FUNCTION notify_claim_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO notification_outbox (key, kind, payload)
    VALUES ('claim_result:' || NEW.id, 'claim_result', jsonb_build_object('claimId', NEW.id))
    ON CONFLICT (key) DO NOTHING;
  ELSE
    INSERT INTO notification_outbox (key, kind, payload)
    VALUES ('service_recorded:' || NEW.id, 'service_recorded', jsonb_build_object('claimId', NEW.id))
    ON CONFLICT (key) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Row triggers with WHEN: a refused claim (no row inserted) costs nothing.
CREATE TRIGGER claims_notify_insert AFTER INSERT ON claims FOR EACH ROW
  WHEN (NEW.status = 'claimed' AND coalesce(current_setting('pioneer.notifications', true), '') <> 'off')
  EXECUTE FUNCTION notify_claim_outbox();--> statement-breakpoint
CREATE TRIGGER claims_notify_completed AFTER UPDATE OF status ON claims FOR EACH ROW
  WHEN (NEW.status = 'completed' AND OLD.status <> 'completed' AND coalesce(current_setting('pioneer.notifications', true), '') <> 'off')
  EXECUTE FUNCTION notify_claim_outbox();
