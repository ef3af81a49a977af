%name
rules-list
%args
rules list
%stdout-contains
email
credit-card
aws-access-key-id
github-token
placeholder-escape
%exit
0
