"""Vocabulary the CRM generator composes people and comments from (model parameters, not data rows)."""

from __future__ import annotations

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "es": (
        "Sofía", "Valentina", "Camila", "Isabella", "Lucía", "María", "Daniela", "Gabriela", "Mariana", "Fernanda",
        "Ana", "Paula", "Andrea", "Natalia", "Carolina", "Laura", "Elena", "Julia", "Adriana", "Ximena",
        "Mateo", "Santiago", "Sebastián", "Diego", "Nicolás", "Alejandro", "Samuel", "Daniel", "Javier", "Andrés",
        "Carlos", "José", "Luis", "Miguel", "Jorge", "Fernando", "Ricardo", "Emilio", "Tomás", "Gabriel",
    ),
    "en": (
        "Olivia", "Emma", "Ava", "Sophia", "Mia", "Amelia", "Harper", "Evelyn", "Abigail", "Emily",
        "Grace", "Chloe", "Madison", "Hannah", "Zoe", "Nora", "Lily", "Ella", "Aria", "Scarlett",
        "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Alexander",
        "Michael", "Ethan", "Daniel", "Jacob", "Logan", "Jackson", "Owen", "Ryan", "Nathan", "Caleb",
    ),
}

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "es": (
        "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres",
        "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Ortiz", "Gutiérrez", "Chávez",
        "Ramos", "Vargas", "Castillo", "Jiménez", "Moreno", "Romero", "Herrera", "Medina", "Aguilar", "Castro",
        "Vega", "Rojas", "Mora", "Solís", "Araya", "Quesada", "Alvarado", "Salazar", "Campos", "Navarro",
    ),
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
        "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker",
        "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
    ),
}

#: Names of towns around a main city (used beyond ~30 km from it), by language.
TOWNS: dict[str, tuple[str, ...]] = {
    "es": (
        "San Isidro", "Villa Nueva", "Santa Ana", "San Pedro", "La Esperanza", "San Rafael", "El Carmen",
        "Santa Rosa", "San Miguel", "Los Ángeles", "La Unión", "San Francisco", "Buenavista", "El Progreso",
        "San Juan", "Santa Cruz", "La Libertad", "San Antonio", "Concepción", "Guadalupe",
    ),
    "en": (
        "Springfield", "Fairview", "Riverside", "Georgetown", "Franklin", "Greenville", "Clinton", "Madison",
        "Salem", "Bristol", "Oakland", "Milton", "Ashland", "Dover", "Kingston", "Marion", "Newport",
        "Oxford", "Burlington", "Manchester",
    ),
}

EMAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "hotmail.com")

INTERESTS: tuple[str, ...] = (
    "technology", "fashion", "travel", "fitness", "food", "gaming", "music", "movies", "finance", "home",
    "beauty", "sports", "education", "parenting", "automotive", "pets", "outdoors", "art",
)

OCCUPATIONS: tuple[str, ...] = (
    "student", "teacher", "engineer", "nurse", "sales representative", "small-business owner", "designer",
    "accountant", "developer", "physician", "retail worker", "driver", "lawyer", "marketing analyst", "retired",
)

INCOME_BANDS: tuple[str, ...] = ("low", "middle", "upper_middle", "high")

CONTEXT_NOTES: tuple[str, ...] = (
    "prefers contact after 6 pm",
    "asked for installment options",
    "compares prices with competitors",
    "bought a similar product last year",
    "interested in a family plan",
    "wants a demo before buying",
    "needs an invoice for the company",
    "sensitive to delivery times",
    "price is the main objection",
    "follows the brand on social media",
)

COMMENTS: dict[str, tuple[str, ...]] = {
    "es": (
        "¿Tienen envío a mi ciudad?", "Me encanta, ¿cuál es el precio?", "¿Hay descuento por pronto pago?",
        "Muy buena calidad, lo recomiendo", "¿Dónde lo puedo comprar?", "Quiero más información, por favor",
        "El anuncio no carga bien", "¿Aceptan pagos a plazos?", "Lo compré y llegó rápido", "Demasiado caro para mí",
        "¿Viene en otros colores?", "Excelente atención por chat",
    ),
    "en": (
        "Do you ship to my city?", "Love it, how much is it?", "Is there a discount for paying upfront?",
        "Great quality, highly recommend", "Where can I buy this?", "I'd like more information, please",
        "The ad doesn't load properly", "Do you offer installments?", "Bought it and it arrived fast",
        "Too expensive for me", "Does it come in other colors?", "Excellent support over chat",
    ),
}

DIAL_CODES: dict[str, str] = {
    "US": "1", "CA": "1", "PR": "1", "DO": "1", "MX": "52", "GT": "502", "CR": "506", "PA": "507", "CO": "57",
    "PE": "51", "EC": "593", "CL": "56", "AR": "54", "UY": "598", "ES": "34", "BR": "55",
}
