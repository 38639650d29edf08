-- 0018_ai_models: the registry of the trained AI modules (SPEC I1, G4; issue 18). Every training run of a
-- module (`promptsales ai train`, the Dagster job `ai_retrain`) stores its artefact here as a new version
-- with the metrics measured on data the model never saw; every later `promptsales ai evaluate` adds a row
-- of ai_model_evaluations. Written and read by promptsales.ai.registry (role promptsales_app); the MCP
-- servers load the newest version of the module they serve.

CREATE TABLE portal.ai_models (
    model_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    module           text NOT NULL CHECK (module ~ '^[a-z][a-z0-9_]{1,40}$'),
    version          integer NOT NULL CHECK (version >= 1),
    algorithm        text NOT NULL,                        -- e.g. HistGradientBoostingClassifier + isotonic
    trained_at       timestamptz NOT NULL DEFAULT now(),
    trained_by       text NOT NULL,                        -- who ran the training (CLI user, Dagster run)
    params           jsonb NOT NULL DEFAULT '{}'::jsonb,   -- hyper-parameters and settings of the run
    data             jsonb NOT NULL DEFAULT '{}'::jsonb,   -- what it learned from: split date, rows, window
    metrics          jsonb NOT NULL DEFAULT '{}'::jsonb,   -- held-out metrics and the baselines' at training time
    artefact         bytea NOT NULL,                       -- the serialised model (joblib)
    artefact_sha256  text NOT NULL CHECK (artefact_sha256 ~ '^[0-9a-f]{64}$'),
    UNIQUE (module, version)
);
COMMENT ON TABLE portal.ai_models IS 'I1: versioned artefacts of the AI modules with their held-out metrics';

CREATE TABLE portal.ai_model_evaluations (
    evaluation_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id       bigint NOT NULL REFERENCES portal.ai_models ON DELETE CASCADE,
    evaluated_at   timestamptz NOT NULL DEFAULT now(),
    evaluated_by   text NOT NULL,
    metrics        jsonb NOT NULL
);
CREATE INDEX ai_model_evaluations_model ON portal.ai_model_evaluations (model_id, evaluated_at);
COMMENT ON TABLE portal.ai_model_evaluations IS 'I1: each re-evaluation of a stored model version on held-out data';
