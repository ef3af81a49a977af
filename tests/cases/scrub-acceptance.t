# The acceptance example from the README.
%name
scrub-acceptance
%args
scrub
%stdin
mail jane.doe@corp.example, card 4111 1111 1111 1111
%stdout
mail <EMAIL_1>, card <CREDIT_CARD_1>
%exit
0
