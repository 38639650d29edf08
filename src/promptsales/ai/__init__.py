"""AI building blocks shared by every company: the offline embedding model, the text-generation
provider interface and the AI-usage log (SPEC G4, I1)."""
