"""Domain model: identifiers, money, entities and the table contract; stdlib only."""
