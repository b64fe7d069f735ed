module ameide.io/services/graph

go 1.19
