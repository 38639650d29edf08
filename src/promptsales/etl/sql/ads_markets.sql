-- Market catalogue (small; names, countries and cities for the by-market summary).
SELECT market_id, country || ' / ' || segment, country, city FROM ads.markets
