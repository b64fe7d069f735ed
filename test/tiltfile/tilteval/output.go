package main

// The JSON document tilt-eval prints (schema in test/tiltfile/README.md).

func (s *state) output() (map[string]interface{}, error) {
	enabled, err := s.config.enabledResources(s.resources)
	if err != nil {
		return nil, err
	}
	settings := map[string]interface{}{}
	for k, v := range s.settings {
		settings[k] = v
	}
	settings["k8s_context"] = s.opts.context
	settings["k8s_namespace"] = s.opts.namespace
	settings["context_allowed"] = s.contextAllowed()
	api := map[string]interface{}{}
	for _, kind := range s.apiKinds {
		api[kind] = s.apiObjects[kind]
	}
	objs := []k8sObject{}
	objs = append(objs, s.k8sObjects...)
	var parsed interface{}
	if s.config.parseCalled {
		parsed = s.config.parsed
	}
	return map[string]interface{}{
		"tiltfile":            s.mainPath,
		"subcommand":          s.opts.subcommand,
		"tilt_args":           orEmpty(s.opts.tiltArgs),
		"resources":           orEmptyRes(s.resources),
		"images":              s.printedImages(),
		"buttons":             s.buttons(),
		"api_objects_applied": s.opts.subcommand != "down",
		"settings":            settings,
		"enabled":             enabled,
		"config":              parsed,
		"local_calls":         orEmptyMaps(s.localCalls),
		"warnings":            orEmpty(s.warnings),
		"prints":              orEmpty(s.prints),
		"k8s_objects":         objs,
		"api_objects":         api,
		"loaded_files":        orEmpty(s.loadOrder),
		"watched_files":       orEmpty(s.watched),
		"exited":              s.exited,
	}, nil
}

func orEmptyRes(v []*resource) []*resource {
	if v == nil {
		return []*resource{}
	}
	return v
}

// printedImages leaves out the build-less image a k8s_custom_deploy live
// update registers; its steps show on the resource.
func (s *state) printedImages() []*image {
	out := []*image{}
	for _, img := range s.images {
		if !img.hidden {
			out = append(out, img)
		}
	}
	return out
}

func orEmptyMaps(v []map[string]interface{}) []map[string]interface{} {
	if v == nil {
		return []map[string]interface{}{}
	}
	return v
}
