-- 0003_geo: distance helpers for the analytics (SPEC R7: grouping by geographic distance).
-- Author: PromptCRM team. Date: 2026-11-27.

CREATE FUNCTION crm.haversine_km(lat1 double precision, lon1 double precision,
                                 lat2 double precision, lon2 double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT 2 * 6371.0 * asin(sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;
COMMENT ON FUNCTION crm.haversine_km IS 'Great-circle distance in km between two points (degrees)';

CREATE FUNCTION crm.distance_band(km double precision) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN km < 10 THEN '0-10 km'
                WHEN km < 50 THEN '10-50 km'
                WHEN km < 200 THEN '50-200 km'
                WHEN km < 500 THEN '200-500 km'
                ELSE '500+ km' END
$$;
COMMENT ON FUNCTION crm.distance_band IS 'Distance band of a client from the main city of its market';

-- The read-only roles run the analytics queries too (default privileges grant EXECUTE to the app role only).
GRANT EXECUTE ON FUNCTION crm.haversine_km(double precision, double precision, double precision, double precision),
                          crm.distance_band(double precision)
    TO promptcrm_analyst, promptcrm_etl;
