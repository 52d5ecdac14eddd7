package experiments

import (
	"math/rand/v2"

	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/operator"
)

// The non-Fourier operators of package operator and the neural inverse
// operator (FNO∘DeepONet), by config type name.
func init() {
	RegisterModel("mgno", func(c operator.MgNOConfig, r *rand.Rand) (operator.Operator, error) { return operator.NewMgNO(c, r) })
	RegisterModel("deeponet", func(c operator.DeepONetConfig, r *rand.Rand) (operator.Operator, error) {
		return operator.NewDeepONet(c, r)
	})
	RegisterModel("lno", func(c operator.LNOConfig, r *rand.Rand) (operator.Operator, error) { return operator.NewLNO(c, r) })
	RegisterModel("gno", func(c operator.GNOConfig, r *rand.Rand) (operator.Operator, error) { return operator.NewGNO(c, r) })
	RegisterModel("mpgno", func(c operator.MultipoleGNOConfig, r *rand.Rand) (operator.Operator, error) {
		return operator.NewMultipoleGNO(c, r)
	})
	RegisterModel("nio", func(c fno.NIOConfig, r *rand.Rand) (operator.Operator, error) { return fno.NewNIO(c, r) })
}
