"""How an answer is put for the user, whichever service wrote it: its shape ("only the number")."""
