-- The split of each A/B experiment as the server started it (which arm, answered by what, with which weight),
-- so that the report reads it from the store; and the guardrails of every answered turn in the A/B log, which
-- holds no customer text and outlives the retention of the turns.
CREATE TABLE ab_experiments (
    experiment  VARCHAR(100)             NOT NULL,
    position    INT                      NOT NULL,
    arm         VARCHAR(64)              NOT NULL,
    answered_by VARCHAR(200)             NOT NULL,
    weight      INT                      NOT NULL CHECK (weight > 0),
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (experiment, arm)
);

-- Set on 'chat' events: whether the turn was handed off, whether the compliance guard stopped a banned claim, and
-- how long the answer took.
ALTER TABLE ab_events ADD COLUMN handoff BOOLEAN;
ALTER TABLE ab_events ADD COLUMN compliance_blocked BOOLEAN;
ALTER TABLE ab_events ADD COLUMN latency_ms BIGINT;
