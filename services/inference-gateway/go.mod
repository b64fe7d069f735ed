module ameide.io/services/inference-gateway

go 1.19
